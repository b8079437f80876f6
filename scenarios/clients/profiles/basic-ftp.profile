# basic-ftp (npm 5.x, tests/interop_node; `npm ci` there first), through
# tests/interop_node/ftpspec_client.mjs (downloadTo, uploadFrom, list, remove; MKD for mkdir).
name = basic-ftp
version = node -e "console.log('basic-ftp', require(process.argv[1] + '/package.json').version, 'on node', process.version)" {profile_dir}/../../../tests/interop_node/node_modules/basic-ftp
any = node {profile_dir}/../../../tests/interop_node/ftpspec_client.mjs {operation} {url} {local}
any+tls = node {profile_dir}/../../../tests/interop_node/ftpspec_client.mjs {operation} {url} {local} --tls
