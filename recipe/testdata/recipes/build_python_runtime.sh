#!/usr/bin/env bash
# Generated fixture in Heroku's style: Sigstore identity and issuer per line.
PYTHON_VERSION="${1:?}"
PYTHON_MAJOR_VERSION="${PYTHON_VERSION%.*}"
case "${PYTHON_MAJOR_VERSION}" in
	3.14)
		SIGSTORE_IDENTITY='hugo@python.org'
		SIGSTORE_ISSUER='https://github.com/login/oauth'
		;;
	3.12 | 3.13)
		SIGSTORE_IDENTITY='thomas@python.org'
		SIGSTORE_ISSUER='https://github.com/login/oauth'
		;;
	3.10 | 3.11)
		SIGSTORE_IDENTITY='pablogsal@python.org'
		SIGSTORE_ISSUER='https://accounts.google.com'
		;;
	*)
		abort "Unsupported Python version '${PYTHON_MAJOR_VERSION}'!"
		;;
esac
SOURCE_URL="https://www.python.org/ftp/python/${PYTHON_VERSION}/Python-${PYTHON_VERSION}.tgz"
curl --fail --retry 3 -o python.tgz "${SOURCE_URL}"
curl --fail --retry 3 -o python.tgz.sigstore "${SOURCE_URL}.sigstore"
cosign verify-blob --bundle python.tgz.sigstore --certificate-identity "${SIGSTORE_IDENTITY}" --certificate-oidc-issuer "${SIGSTORE_ISSUER}" python.tgz
