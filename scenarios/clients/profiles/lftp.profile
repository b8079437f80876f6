# lftp (Debian 12: lftp 4.9). Settings a QA setup would give it: two tries at most, a second
# between them, 5 s network timeout (lftp's defaults retry for minutes); no MLSD-free tweaks:
# lftp picks MLSD when FEAT lists it. {url} is shell-safe, so it sits inside the quoted script;
# {path} arrives there single-quoted, which lftp's own parser reads as quoting.
name = lftp
version = lftp --version
download = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; \
  set xfer:clobber on; get {url}"
resume = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; get -c {url}"
upload = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; put {local} -o {url}"
list = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; open {root_url}; cls -1 {path}"
delete = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; rm {url}"
mkdir = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; mkdir {url}"
download+tls = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; \
  set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; set xfer:clobber on; get {url}"
upload+tls = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; \
  set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; put {local} -o {url}"
list+tls = lftp -c "set net:max-retries 2; set net:reconnect-interval-base 1; set net:timeout 5; \
  set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; open {root_url}; cls -1 {path}"
