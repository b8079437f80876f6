# NcFTP (Debian 12: ncftp 3.2.6): ncftpget, ncftpput, ncftpls; delete and mkdir through the
# ncftp shell reading commands from stdin. No FTPS. 5 s timeouts, no redial.
name = ncftp
version = ncftpget -v 2>&1 | grep -m1 -i ncftp || echo ncftp
download = ncftpget -V -Z -t 5 -r 0 -u {user} -p {password} -P {port} -C {host} {path} {local}
resume = ncftpget -V -z -t 5 -r 0 -u {user} -p {password} -P {port} {host} {workdir} {path}
upload = ncftpput -V -t 5 -r 0 -u {user} -p {password} -P {port} {host} {remote_dir} {local}
list = ncftpls -t 5 -r 0 -u {user} -p {password} -P {port} -l {url}
delete = printf 'rm %s\nquit\n' {path:escaped} | ncftp -u {user} -p {password} -P {port} {host}
mkdir = printf 'mkdir %s\nquit\n' {path:escaped} | ncftp -u {user} -p {password} -P {port} {host}
