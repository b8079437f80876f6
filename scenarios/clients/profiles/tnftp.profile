# tnftp (NetBSD ftp; Debian 12: tnftp 20210827). Downloads and uploads in auto-fetch mode
# (exit status set on failure); list, delete and mkdir as commands on stdin after logging in
# through the URL ({path:escaped}: tnftp's command parser splits at blanks). No FTPS.
name = tnftp
version = echo tnftp $(dpkg-query -W -f '${Version}' tnftp 2>/dev/null)
download = tnftp -q 5 -o {local} {url}
resume = tnftp -q 5 -R -o {local} {url}
upload = tnftp -q 5 -u {url} {local}
list = printf 'ls\nbye\n' | tnftp -q 5 {url}
delete = printf 'delete %s\nbye\n' {path:escaped} | tnftp -q 5 {root_url}
mkdir = printf 'mkdir %s\nbye\n' {path:escaped} | tnftp -q 5 {root_url}
