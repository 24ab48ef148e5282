#!/bin/sh
# Generated fixture: an unknown script that downloads a release and checks nothing.
curl -LO https://www.python.org/ftp/python/3.12.11/Python-3.12.11.tgz
tar xzf Python-3.12.11.tgz
