#!/bin/sh
# Stand-ins for the macOS tools the generated scripts call, first on PATH in the tests.
# One program, linked under each tool's name. Every call is logged with the user it
# runs as; `defaults` keeps each value as a file $FAKE_DIR/prefs/USER/DOMAIN/KEY
# holding its type and value, as typed as a real preferences file.
# Environment: FAKE_DIR, FAKE_WHOAMI and FAKE_UID (who is running), FAKE_CONSOLE
# (the console user, empty at a fresh boot), FAKE_USERS ("name:uid:home ...").
tool=${0##*/}
me=${FAKE_WHOAMI:-root}
printf '%s\t%s\t%s\n' "$tool" "$me" "$*" >>"$FAKE_DIR/calls.log"

user_field() { # NAME FIELD: 2 uid, 3 home
  for entry in $FAKE_USERS; do
    [ "${entry%%:*}" = "$1" ] && { echo "$entry" | cut -d: -f"$2"; return 0; }
  done
  return 1
}

case $tool in
  defaults)
    verb=$1 file="$FAKE_DIR/prefs/$me/$2/$3"
    case $verb in
      read | read-type | delete)
        [ -f "$file" ] || { echo "The domain/default pair of ($2, $3) does not exist" >&2; exit 1; } ;;
    esac
    case $verb in
      read)
        kind=$(sed -n 1p "$file") value=$(sed -n 2p "$file")
        case $kind:$value in boolean:true) echo 1 ;; boolean:false) echo 0 ;; *) echo "$value" ;; esac ;;
      read-type) echo "Type is $(sed -n 1p "$file")" ;;
      delete) rm "$file" ;;
      write)
        mkdir -p "${file%/*}"
        case $4:$(echo "$5" | tr 'A-Z' 'a-z') in
          -bool:true | -bool:yes | -bool:1) printf 'boolean\ntrue\n' >"$file" ;;
          -bool:false | -bool:no | -bool:0) printf 'boolean\nfalse\n' >"$file" ;;
          -integer:*) printf 'integer\n%d\n' "$5" >"$file" ;;
          -string:*) printf 'string\n%s\n' "$5" >"$file" ;;
          *) exit 2 ;;
        esac ;;
      *) exit 2 ;;
    esac ;;
  id)
    case $1:$# in
      -u:1) echo "${FAKE_UID:-0}" ;;
      -un:1) echo "$me" ;;
      -u:2) user_field "$2" 2 || { echo "id: $2: no such user" >&2; exit 1; } ;;
      *) exit 2 ;;
    esac ;;
  scutil)
    cat >/dev/null
    if [ -n "$FAKE_CONSOLE" ]; then
      printf '<dictionary> {\n  GID : 20\n  Name : %s\n  UID : 501\n}\n' "$FAKE_CONSOLE"
    else
      echo "  No such key"
    fi ;;
  stat) echo "${FAKE_CONSOLE:-root}" ;;
  dscl)
    case $2 in
      list) for entry in $FAKE_USERS; do echo "${entry%%:*} $(echo "$entry" | cut -d: -f2)"; done ;;
      read) echo "NFSHomeDirectory: $(user_field "${3##*/}" 3)" ;;
    esac ;;
  launchctl)
    [ "$1" = asuser ] || exit 2
    shift 2
    exec "$@" ;;
  sudo)
    [ "$1" = -u ] && [ "$me" = root ] || exit 2
    FAKE_WHOAMI=$2 FAKE_UID=$(user_field "$2" 2)
    export FAKE_WHOAMI FAKE_UID
    shift 2
    exec "$@" ;;
  *) exit 127 ;;
esac
