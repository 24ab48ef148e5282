# Generated fixture in the style of a PowerShell build script that takes its
# digest from python.org's bundle.
$PythonVersion = "3.12.7"
# Digest recorded in Python.org's Python-3.12.7.tar.xz.sigstore bundle
$PythonSourceSha256 = "24887b92e2afd4a2ac602419ad4b596372f67ac9b077190f459aba390faf5550"
$Url = "https://www.python.org/ftp/python/$PythonVersion/Python-$PythonVersion.tar.xz"
Invoke-WebRequest -Uri $Url -OutFile python.tar.xz
if ((Get-FileHash python.tar.xz -Algorithm SHA256).Hash -ne $PythonSourceSha256) { throw "bad digest" }
