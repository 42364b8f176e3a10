#!/bin/sh
%%HEADER%%
#
# Options and exit codes: sh SCRIPT --help (the usage function below).
#
# Office reads these preferences per user. Run as a normal user, the script
# writes that user's preferences. Run as root (Jamf policies and Intune shell
# scripts run as root), it writes the console user's preferences through
# `launchctl asuser UID sudo -u USER defaults ...`, because a plain `defaults
# write` as root changes only root's preferences. With nobody logged in it
# writes nothing and exits 0, so a policy can run again at login.
# Jamf passes mount point, computer name and user name first: they are skipped,
# and options may come in parameters 4 and later.

DEFAULT_OPTIONS='%%DEFAULT_OPTIONS%%'

# One line per preference: domain, key, type, value. Values are literal: a $ in a
# single-quoted URL is meant as it is.
# shellcheck disable=SC2016
for_each_setting() {
%%SETTINGS%%
}

usage() {
  cat <<EOF
usage: sh ${0##*/} [--check [--jamf-ea]] [--undo] [--all-users]

Sets the Office for Mac preferences this script lists, with \`defaults\`, for the
logged-in user (run as root) or for the user running it.

  (no option)  apply: write each preference that isn't at its value already
  --check      audit: one line per user, domain and key; exit 1 on any drift
  --jamf-ea    with --check: one <result> line, for a Jamf extension attribute
  --undo       delete exactly the keys this script sets
  --all-users  as root: every account with a home in /Users and a UID from 501
  -h, --help   print this help

Exit codes: 0 done (with --check: compliant), 1 a failure (with --check: drift),
2 a usage error, 3 with --check when nobody is logged in: nothing was checked.
With nobody logged in, applying and --undo change nothing and exit 0, so that a
policy can run again at the next login.
EOF
}

mode=apply
all_users=0
jamf_ea=0
if [ $# -ge 3 ] && [ "${1#/}" != "$1" ]; then
  shift 3
fi
if [ $# -eq 0 ]; then
  # shellcheck disable=SC2086 # the default options are words by design
  set -- $DEFAULT_OPTIONS
fi
for arg in "$@"; do
  case $arg in
    --check) mode=check ;;
    --undo) mode=undo ;;
    --all-users) all_users=1 ;;
    --jamf-ea) jamf_ea=1 ;;
    -h | --help) usage; exit 0 ;;
    '') ;;
    *) echo "unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

say() {
  if [ "$jamf_ea" -eq 0 ]; then
    echo "$@"
  fi
}

is_root() {
  [ "$(id -u)" -eq 0 ]
}

console_user() {
  user=$(printf 'show State:/Users/ConsoleUser\n' | scutil 2>/dev/null | awk '$1 == "Name" && $2 == ":" { print $3; exit }')
  if [ -z "$user" ]; then
    user=$(stat -f%Su /dev/console 2>/dev/null)
  fi
  echo "$user"
}

local_users() {
  dscl . list /Users UniqueID 2>/dev/null | while read -r name account_uid; do
    [ "$account_uid" -ge 501 ] 2>/dev/null || continue
    home=$(dscl . read "/Users/$name" NFSHomeDirectory 2>/dev/null | awk '{ print $2; exit }')
    case $home in
      /Users/?*) echo "$name" ;;
    esac
  done
}

# Runs a command as $user: directly for the user themself, through launchctl
# and sudo from root, so that defaults writes into that user's preferences.
as_user() {
  if is_root; then
    launchctl asuser "$uid" sudo -u "$user" "$@"
  else
    "$@"
  fi
}

# The value as `defaults read` prints it: booleans read back as 1 or 0.
shown() {
  case $1:$2 in
    boolean:true) echo 1 ;;
    boolean:false) echo 0 ;;
    *) echo "$2" ;;
  esac
}

# The value as the profile writes it: true or false for a boolean.
as_profile() {
  case $1:$2 in
    boolean:1) echo true ;;
    boolean:0) echo false ;;
    *) echo "$2" ;;
  esac
}

flag() {
  case $1 in
    boolean) echo -bool ;;
    integer) echo -integer ;;
    *) echo -string ;;
  esac
}

# For DOMAIN KEY TYPE VALUE: sets $same when the key holds VALUE as TYPE, and $found to
# what it holds as the profile would show it ("nothing" when it is not set), naming its
# type where that isn't TYPE.
read_current() {
  same=0
  found=nothing
  if value=$(as_user defaults read "$1" "$2" 2>/dev/null); then
    type=$(as_user defaults read-type "$1" "$2" 2>/dev/null)
    type=${type#Type is }
    found=$(as_profile "$type" "$value")
    if [ "$type" != "$3" ]; then
      found="$found ($type)"
    elif [ "$value" = "$(shown "$3" "$4")" ]; then
      same=1
    fi
  fi
}

apply_setting() {
  read_current "$@"
  if [ "$same" -eq 1 ]; then
    say "$user $1 $2: unchanged, $4"
  elif as_user defaults write "$1" "$2" "$(flag "$3")" "$4"; then
    say "$user $1 $2: set to $4, was $found"
  else
    say "$user $1 $2: FAILED to set $4"
    failures=$((failures + 1))
  fi
}

check_setting() {
  read_current "$@"
  if [ "$same" -eq 1 ]; then
    say "$user $1 $2: compliant, $4"
  else
    say "$user $1 $2: drift, expected $4, found $found"
    drift=$((drift + 1))
  fi
}

undo_setting() {
  if ! as_user defaults read "$1" "$2" >/dev/null 2>&1; then
    say "$user $1 $2: not set"
  elif as_user defaults delete "$1" "$2"; then
    say "$user $1 $2: deleted"
  else
    say "$user $1 $2: FAILED to delete"
    failures=$((failures + 1))
  fi
}

if is_root; then
  if [ "$all_users" -eq 1 ]; then
    users=$(local_users)
    if [ -z "$users" ]; then
      say "No local accounts with a home under /Users and a UID of 501 or more: nothing to do."
    fi
  else
    users=$(console_user)
    case $users in
      '' | loginwindow | _mbsetupuser | root)
        nobody="No user is logged in (console user: '${users:-none}')"
        case $jamf_ea:$mode in
          1:*) echo "<result>No console user</result>"; exit 0 ;;
          0:check) echo "$nobody: nothing checked. Run again at login."; exit 3 ;;
          0:undo) echo "$nobody: nothing deleted. Run again at login."; exit 0 ;;
          *) echo "$nobody: nothing written. Run again at login."; exit 0 ;;
        esac
        ;;
    esac
  fi
else
  users=$(id -un)
fi

drift=0
failures=0
for user in $users; do
  uid=$(id -u "$user") || { say "$user: no such user, skipped"; failures=$((failures + 1)); continue; }
  for_each_setting "${mode}_setting"
done

if [ "$mode" = check ]; then
  if [ "$jamf_ea" -eq 1 ] && [ "$drift" -eq 0 ]; then
    echo "<result>Compliant</result>"
  elif [ "$jamf_ea" -eq 1 ]; then
    echo "<result>Drift: $drift</result>"
  fi
  [ "$drift" -eq 0 ] || exit 1
fi
[ "$failures" -eq 0 ]
