# curl (Debian 12: curl 7.88). Every command bounds its own waits below the cases' deadlines.
# delete and mkdir send the command with -Q before listing the login directory (to /dev/null).
name = curl
version = curl --version
download = curl -sS --connect-timeout 5 --max-time 8 -o {local} {url}
upload = curl -sS --connect-timeout 5 --max-time 8 -T {local} {url}
list = curl -sS --connect-timeout 5 --max-time 8 {url}
resume = curl -sS --connect-timeout 5 --max-time 8 -C - -o {local} {url}
delete = curl -sS --connect-timeout 5 --max-time 8 -o /dev/null -Q "DELE "{path} {root_url}
mkdir = curl -sS --connect-timeout 5 --max-time 8 -o /dev/null -Q "MKD "{path} {root_url}
download+tls = curl -sS --ssl-reqd -k --connect-timeout 5 --max-time 8 -o {local} {url}
upload+tls = curl -sS --ssl-reqd -k --connect-timeout 5 --max-time 8 -T {local} {url}
list+tls = curl -sS --ssl-reqd -k --connect-timeout 5 --max-time 8 {url}
