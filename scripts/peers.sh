#!/usr/bin/env bash
# Makes the third-party FTP servers ("peers") available to ftpspec's tests and benchmarks
# WITHOUT installing any of them system-wide:
#   vsftpd, proftpd-core, pure-ftpd and inetutils-ftpd conflict as Debian packages (each
#   Provides/Conflicts ftp-server) and their postinst scripts would start a daemon on port 21.
#   So each .deb is fetched with `apt-get download` into build/peers/debs and unpacked with
#   `dpkg -x` into build/peers/<name>/ (no maintainer scripts run); only their runtime shared
#   libraries are apt-installed. ProFTPD's mod_tls comes from proftpd-mod-crypto, unpacked into
#   the same folder. pyftpdlib and Twisted come from python3-pyftpdlib and python3-twisted,
#   inetutils ftpd's private user database from libnss-wrapper (scripts/debian-packages.txt).
# Idempotent: a package already unpacked is skipped. Needs root (or sudo) for apt-get install.
# Usage: scripts/peers.sh [--check]   (--check: only verify, install nothing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peers_dir=${FTPSPEC_PEERS_DIR:-$root/build/peers}
debs_dir=$peers_dir/debs
check_only=0
[[ ${1:-} == --check ]] && check_only=1

# peer name -> Debian packages unpacked into its folder; and the binaries to check with ldd.
declare -A packages_of=(
  [vsftpd]=vsftpd
  [proftpd]="proftpd-core proftpd-mod-crypto"
  [pure-ftpd]=pure-ftpd
  [inetutils]=inetutils-ftpd
)
declare -A binaries_of=(
  [vsftpd]="usr/sbin/vsftpd"
  [proftpd]="usr/sbin/proftpd usr/lib/proftpd/mod_tls.so"
  [pure-ftpd]="usr/sbin/pure-ftpd usr/bin/pure-pw"
  [inetutils]="usr/sbin/ftpd"
)
peers=(vsftpd proftpd pure-ftpd inetutils)
# apt-installed: peers that are Python packages, and the NSS wrapper inetutils ftpd runs under.
apt_packages=(python3-pyftpdlib python3-twisted libnss-wrapper)
# inetutils ftpd chroots the users listed here into their home (see docs/peers.md).
ftpchroot=/etc/ftpchroot

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

# The marker $dest/.unpacked names each .deb unpacked there, one a line: a package added to a
# peer later (proftpd-mod-crypto) is unpacked on top of what is there.
unpack_peer() {
  local name=$1 dest=$peers_dir/$1 pkg deb
  [[ -f $dest/.unpacked ]] || { rm -rf "$dest"; mkdir -p "$dest"; : >"$dest/.unpacked"; }
  for pkg in ${packages_of[$name]}; do
    if grep -q "^${pkg}_" "$dest/.unpacked"; then
      echo "peers: $pkg already unpacked in $dest"
      continue
    fi
    mkdir -p "$debs_dir"
    deb=$(downloaded_deb "$pkg")
    if [[ -z $deb ]]; then
      apt_update_once
      # The sandbox user _apt cannot write into our folder: download as the caller.
      (cd "$debs_dir" && apt-get download -q -o APT::Sandbox::User=root "$pkg")
      deb=$(downloaded_deb "$pkg")
      [[ -n $deb ]] || { echo "peers: apt-get download $pkg left no .deb" >&2; return 1; }
    fi
    dpkg -x "$deb" "$dest"
    basename "$deb" >>"$dest/.unpacked"
    echo "peers: unpacked $(basename "$deb") into $dest"
  done
}

all_library_deps() {
  local name pkg
  for name in "${peers[@]}"; do
    for pkg in ${packages_of[$name]}; do library_deps "$pkg"; done
  done | sort -u
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

# inetutils ftpd confines a user to its home only when /etc/ftpchroot lists the name; the
# launcher refuses to start it otherwise. One line, added once.
ensure_ftpchroot() {
  if grep -qx ftpspec "$ftpchroot" 2>/dev/null; then
    echo "peers: $ftpchroot lists ftpspec"
  elif [[ $(id -u) -eq 0 ]]; then
    echo ftpspec >>"$ftpchroot"
    echo "peers: added ftpspec to $ftpchroot"
  else
    echo "peers: not root: $ftpchroot does not list ftpspec (the inetutils peer needs it)" >&2
  fi
}

print_versions() {
  echo "peers: versions"
  # vsftpd -v prints its version on stdin's fd (0) and exits; feed it /dev/null.
  echo "  vsftpd:    $("$peers_dir/vsftpd/usr/sbin/vsftpd" -v 0>&1 | head -n1)"
  echo "  proftpd:   $("$peers_dir/proftpd/usr/sbin/proftpd" -v 2>&1 | head -n1)"
  echo "  pure-ftpd: $("$peers_dir/pure-ftpd/usr/sbin/pure-ftpd" --help 2>&1 | head -n1)"
  echo "  mod_tls:   $(grep -aom1 'mod_tls/[0-9.]*' "$peers_dir/proftpd/usr/lib/proftpd/mod_tls.so")"
  echo "  inetutils: $("$peers_dir/inetutils/usr/sbin/ftpd" --version | head -n1)"
  echo "  pyftpdlib: $(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)' 2>&1)"
  echo "  twisted:   $(/usr/bin/python3 -c 'import twisted; print(twisted.__version__)' 2>&1)"
}

if ((check_only)); then
  status=0
  for name in "${peers[@]}"; do check_peer "$name" || status=1; done
  getent passwd ftpspec >/dev/null || { echo "peers: no system user ftpspec" >&2; status=1; }
  grep -qx ftpspec "$ftpchroot" 2>/dev/null || { echo "peers: $ftpchroot lacks ftpspec" >&2; status=1; }
  for pkg in "${apt_packages[@]}"; do
    is_installed "$pkg" || { echo "peers: $pkg is not installed" >&2; status=1; }
  done
  ((status == 0)) && print_versions
  exit $status
fi

if [[ ${sudo[0]:-} == false ]]; then
  echo "peers: not root and no sudo: cannot apt-get install the runtime libraries" >&2
  exit 1
fi
missing_apt=()
for pkg in "${apt_packages[@]}"; do is_installed "$pkg" || missing_apt+=("$pkg"); done
if ((${#missing_apt[@]})); then
  apt_update_once
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing_apt[@]}"
fi
for name in "${peers[@]}"; do unpack_peer "$name"; done
install_library_deps
ensure_system_user
ensure_ftpchroot
status=0
for name in "${peers[@]}"; do check_peer "$name" || status=1; done
((status == 0)) || { echo "peers: some peer binaries cannot run" >&2; exit 1; }
print_versions
echo "peers: ready in $peers_dir"
