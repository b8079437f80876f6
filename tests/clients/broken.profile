# A deliberately broken client (tests/clients/broken_client.py): it keeps truncated downloads and
# ignores a 4yz after the 150. tests/test_client_mode.py shows client mode failing it.
name = broken
download = /usr/bin/python3 {profile_dir}/broken_client.py download {url} {local}
upload = /usr/bin/python3 {profile_dir}/broken_client.py upload {url} {local}
