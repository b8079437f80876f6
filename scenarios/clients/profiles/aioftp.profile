# aioftp (Debian 12: python3-aioftp 0.21), through aioftp_client.py (Client.download, upload,
# list, download_stream with an offset for resume, remove_file, make_directory). No AUTH TLS.
name = aioftp
version = /usr/bin/python3 -c "import aioftp; print('aioftp', aioftp.__version__)"
any = /usr/bin/python3 {profile_dir}/aioftp_client.py {operation} {url} {local}
