#!/usr/bin/env bash
# Makes the third-party FTP servers ("peers") available to ftpspec's tests and benchmarks
# WITHOUT installing any of them system-wide:
#   vsftpd, proftpd-core and pure-ftpd conflict as Debian packages (each Provides/Conflicts
#   ftp-server) and their postinst scripts would start a daemon on port 21. So each .deb is
#   fetched with `apt-get download` into build/peers/debs and unpacked with `dpkg -x` into
#   build/peers/<name>/ (no maintainer scripts run); only their runtime shared libraries are
#   apt-installed. pyftpdlib comes from python3-pyftpdlib (scripts/debian-packages.txt).
# Idempotent: a package already unpacked is skipped. Needs root (or sudo) for apt-get install.
# Usage: scripts/peers.sh [--check]   (--check: only verify, install nothing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peers_dir=${FTPSPEC_PEERS_DIR:-$root/build/peers}
debs_dir=$peers_dir/debs
check_only=0
[[ ${1:-} == --check ]] && check_only=1

# peer name -> Debian package holding its binaries; and the binaries to check with ldd.
declare -A package_of=([vsftpd]=vsftpd [proftpd]=proftpd-core [pure-ftpd]=pure-ftpd)
declare -A binaries_of=(
  [vsftpd]="usr/sbin/vsftpd"
  [proftpd]="usr/sbin/proftpd"
  [pure-ftpd]="usr/sbin/pure-ftpd usr/bin/pure-pw"
)
peers=(vsftpd proftpd pure-ftpd)

if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else sudo=(false); fi
export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update_once() {
  ((apt_updated)) && return 0
  "${sudo[@]}" apt-get update -qq
  apt_updated=1
}

# The shared libraries a package depends on (its lib* Depends), as apt names them.
library_deps() {
  apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
      --no-enhances "$1" 2>/dev/null |
    awk '$1 ~ /Depends:$/ && $2 ~ /^lib/ {print $2}' | sort -u
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

downloaded_deb() {
  local deb
  for deb in "$debs_dir/$1"_*.deb; do [[ -e $deb ]] && { echo "$deb"; return 0; }; done
  return 0
}

unpack_peer() {
  local name=$1 pkg=${package_of[$1]} dest=$peers_dir/$1
  if [[ -f $dest/.unpacked ]]; then
    echo "peers: $name already unpacked in $dest"
    return 0
  fi
  mkdir -p "$debs_dir"
  local deb
  deb=$(downloaded_deb "$pkg")
  if [[ -z $deb ]]; then
    apt_update_once
    # The sandbox user _apt cannot write into our folder: download as the caller.
    (cd "$debs_dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg")
    deb=$(downloaded_deb "$pkg")
    [[ -n $deb ]] || { echo "peers: apt-get download $pkg left no .deb" >&2; return 1; }
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  dpkg -x "$deb" "$dest"
  basename "$deb" >"$dest/.unpacked"
  echo "peers: unpacked $(basename "$deb") into $dest"
}

all_library_deps() {
  for name in "${peers[@]}"; do library_deps "${package_of[$name]}"; done | sort -u
}

install_library_deps() {
  local wanted missing=() lib
  wanted=$(all_library_deps)
  if [[ -z $wanted ]]; then  # empty package lists (fresh machine): apt-cache knows nothing yet
    apt_update_once
    wanted=$(all_library_deps)
  fi
  for lib in $wanted; do
    is_installed "$lib" || missing+=("$lib")
  done
  if ((${#missing[@]} == 0)); then
    echo "peers: runtime libraries present"
    return 0
  fi
  echo "peers: installing runtime libraries: ${missing[*]}"
  apt_update_once
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Every binary must load: ldd reports no "not found".
check_peer() {
  local name=$1 dest=$peers_dir/$1 bin status=0
  for bin in ${binaries_of[$name]}; do
    if [[ ! -e $dest/$bin ]]; then
      echo "peers: MISSING $dest/$bin" >&2
      status=1
    elif [[ $(head -c4 "$dest/$bin" | tr -d '\0') == $'\x7fELF' ]] && ldd "$dest/$bin" | grep -q "not found"; then
      echo "peers: $dest/$bin lacks libraries:" >&2
      ldd "$dest/$bin" | grep "not found" >&2
      status=1
    fi
  done
  return $status
}

# vsftpd (anonymous sessions) and pure-ftpd (virtual users, which may not be uid 0) need an
# unprivileged account when the tests run as root: a locked system user "ftpspec" whose home is
# "/" (vsftpd chdirs to it before chrooting), without a password or a login shell.
ensure_system_user() {
  if getent passwd ftpspec >/dev/null; then
    echo "peers: system user ftpspec present"
  elif [[ $(id -u) -eq 0 ]]; then
    useradd --system --user-group --no-create-home --home-dir / --shell /usr/sbin/nologin \
      --comment "ftpspec test peers" ftpspec
    echo "peers: created system user ftpspec"
  else
    echo "peers: not root: no system user ftpspec (vsftpd and root runs of pure-ftpd need it)" >&2
  fi
}

print_versions() {
  echo "peers: versions"
  # vsftpd -v prints its version on stdin's fd (0) and exits; feed it /dev/null.
  echo "  vsftpd:    $("$peers_dir/vsftpd/usr/sbin/vsftpd" -v 0>&1 | head -n1)"
  echo "  proftpd:   $("$peers_dir/proftpd/usr/sbin/proftpd" -v 2>&1 | head -n1)"
  echo "  pure-ftpd: $("$peers_dir/pure-ftpd/usr/sbin/pure-ftpd" --help 2>&1 | head -n1)"
  echo "  pyftpdlib: $(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)' 2>&1)"
}

if ((check_only)); then
  status=0
  for name in "${peers[@]}"; do check_peer "$name" || status=1; done
  getent passwd ftpspec >/dev/null || { echo "peers: no system user ftpspec" >&2; status=1; }
  ((status == 0)) && print_versions
  exit $status
fi

if [[ ${sudo[0]:-} == false ]]; then
  echo "peers: not root and no sudo: cannot apt-get install the runtime libraries" >&2
  exit 1
fi
is_installed python3-pyftpdlib || { apt_update_once; "${sudo[@]}" apt-get install -y -qq python3-pyftpdlib; }
for name in "${peers[@]}"; do unpack_peer "$name"; done
install_library_deps
ensure_system_user
status=0
for name in "${peers[@]}"; do check_peer "$name" || status=1; done
((status == 0)) || { echo "peers: some peer binaries cannot run" >&2; exit 1; }
print_versions
echo "peers: ready in $peers_dir"
