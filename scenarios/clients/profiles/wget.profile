# GNU Wget (Debian 12: wget 1.21). Downloads only: wget cannot upload, delete or make folders.
# One try, 5 s timeouts; a directory URL lists as wget's HTML index on stdout. For +tls the
# URL's scheme becomes ftps:// (wget's explicit FTPS, AUTH TLS).
name = wget
version = wget --version
download = wget -q --tries=1 --timeout=5 -O {local} {url}
resume = wget -q --tries=1 --timeout=5 -c {url}
list = wget -q --tries=1 --timeout=5 -O - {url}
download+tls = u={url}; wget -q --tries=1 --timeout=5 --no-check-certificate -O {local} "ftps${u#ftp}"
list+tls = u={url}; wget -q --tries=1 --timeout=5 --no-check-certificate -O - "ftps${u#ftp}"
