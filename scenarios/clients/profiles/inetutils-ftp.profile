# GNU inetutils ftp (Debian 12: inetutils-ftp 2.4), driven by a script on stdin (-n: log in with
# the script's `user`), passive mode; {path:escaped} because its command parser splits at blanks.
# Its exit status does not say whether a command failed. No FTPS.
name = inetutils-ftp
version = inetutils-ftp --version | head -1
download = printf 'user %s %s\nbinary\nget %s %s\nbye\n' {user} {password} {path:escaped} {local:escaped} | inetutils-ftp -n -p {host} {port}
resume = printf 'user %s %s\nbinary\nreget %s %s\nbye\n' {user} {password} {path:escaped} {local:escaped} | inetutils-ftp -n -p {host} {port}
upload = printf 'user %s %s\nbinary\nput %s %s\nbye\n' {user} {password} {local:escaped} {path:escaped} | inetutils-ftp -n -p {host} {port}
list = printf 'user %s %s\nls %s\nbye\n' {user} {password} {path:escaped} | inetutils-ftp -n -p {host} {port}
delete = printf 'user %s %s\ndelete %s\nbye\n' {user} {password} {path:escaped} | inetutils-ftp -n -p {host} {port}
mkdir = printf 'user %s %s\nmkdir %s\nbye\n' {user} {password} {path:escaped} | inetutils-ftp -n -p {host} {port}
