# Python's ftplib (Debian 12: Python 3.11), through ftplib_client.py (the usual calls:
# retrbinary, storbinary, retrlines LIST, delete, mkd; FTP_TLS with prot_p for +tls).
name = ftplib
version = /usr/bin/python3 -c "import sys; print('Python ftplib', sys.version.split()[0])"
any = /usr/bin/python3 {profile_dir}/ftplib_client.py {operation} {url} {local}
any+tls = /usr/bin/python3 {profile_dir}/ftplib_client.py {operation} {url} {local} --tls
