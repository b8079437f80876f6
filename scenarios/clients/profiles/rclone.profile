# rclone (Debian 12: rclone 1.60), FTP backend configured on the command line (":ftp:" remote).
# One try (no retries), 5 s connect and I/O timeouts. resume is rclone's own: copyto again
# (it transfers the whole file when sizes differ).
name = rclone
version = rclone version 2>/dev/null | head -1
download = rclone copyto --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path} {local}
resume = rclone copyto --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path} {local}
upload = rclone copyto --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" {local} :ftp:{path}
list = rclone lsf --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path}
delete = rclone deletefile --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path}
mkdir = rclone mkdir --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path}
download+tls = rclone copyto --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-explicit-tls --ftp-no-check-certificate \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path} {local}
upload+tls = rclone copyto --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-explicit-tls --ftp-no-check-certificate \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" {local} :ftp:{path}
list+tls = rclone lsf --config /dev/null -q --retries 1 --low-level-retries 1 --contimeout 5s --timeout 5s \
  --ftp-explicit-tls --ftp-no-check-certificate \
  --ftp-host {host} --ftp-port {port} --ftp-user {user} --ftp-pass "$(rclone obscure {password})" :ftp:{path}
