# SPDX-License-Identifier: MIT
# bash completion for oauthctl. Options come from `oauthctl CMD --help`, so they never
# drift from the binary; values (grants, methods, formats, profiles) are listed here.
# Installed to share/bash-completion/completions/oauthctl (loaded on demand).

_oauthctl_commands="token fhir flow serve discover check config cache logout introspect revoke decode keygen help"
_oauthctl_grants="client_credentials authorization_code password implicit refresh_token token_exchange device_code jwt_bearer"

# _oauthctl_bin: the binary to ask, from the word being completed, not a fixed name: an
# alias (alias oc='~/src/oauthctl/build/oauthctl --profile ci') is followed to its first
# word, a path (./build/oauthctl) is used as it is; `oauthctl` on PATH is the last resort.
# Register an alias with: complete -F _oauthctl oc
_oauthctl_bin() {
  local word=${COMP_WORDS[0]} definition
  if definition=$(alias -- "$word" 2>/dev/null); then
    definition=${definition#*=}
    definition=${definition#\'}
    definition=${definition%\'}
    word=${definition%% *}
  fi
  word=${word/#\~/$HOME}
  if [[ $word == */* && -x $word ]] || type -P -- "$word" >/dev/null 2>&1; then
    printf '%s\n' "$word"
  else
    printf '%s\n' oauthctl
  fi
}

# _oauthctl_options CMD...: the long and short options `oauthctl CMD... --help` lists.
_oauthctl_options() {
  "$(_oauthctl_bin)" "$@" --help 2>/dev/null |
    sed -n '/^Options:/,/^$/p' | grep -oE '^ +(-[A-Za-z],)?--[a-z][a-z0-9-]*' | tr ',' '\n' | tr -d ' '
}

# Options whose next word is their value (so it is not taken for a subcommand).
_oauthctl_takes_value() {
  case $1 in
    --server | --token-url | --fhir-url | --client-id | --client-secret | --client-secret-file | --auth-method | \
      --scope | --audience | --resource | --cacert | --timeout | --profile | --config-file | -g | --grant | \
      -o | --output | -X | --request | -d | --authorize-url | --redirect-uri | --browser | --pkce | --redirect-timeout | --login-hint | \
      --launch | --authorize-param | --refresh-token | --access-token | --fhir-path | --host | --port | \
      --config | --data | --issuer | --username | --password | --subject-token | --subject-token-type | \
      --actor-token | --actor-token-type | --requested-token-type | --login-backoff) return 0 ;;
    --token-type-hint | --jwks | --device-interval | --device-lifetime | --consent-lifetime | --store | \
      --store-pool) return 0 ;;
    --header-timeout | --body-timeout | --idle-timeout | --max-header-bytes | --max-header-count | \
      --max-token-body-bytes | --max-body-bytes | --max-connections | --max-connections-per-address | \
      --shutdown-grace | --workers | --mtls-port) return 0 ;;
    --tls-cert | --tls-key | --tls-client-ca | --tls-dir | --client-cert | --client-key) return 0 ;;
    --private-key | --kid | --alg | --assertion | --assertion-key | --assertion-claims | --out | --jwks-out) return 0 ;;
    --only | --skip | --junit | --baseline | --explain | --login | --password-file | --simulate | \
      --unauthorized-grant) return 0 ;;
  esac
  return 1
}

_oauthctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local -a path=() opts=()
  local i word skip=
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n $skip ]]; then
      skip=
      opts+=("$word")
    elif [[ $word == -* ]]; then
      opts+=("$word")
      _oauthctl_takes_value "$word" && skip=1
    else
      path+=("$word")
    fi
  done
  local cmd=${path[0]:-}

  case $prev in
    -g | --grant)
      mapfile -t COMPREPLY < <(compgen -W "$_oauthctl_grants" -- "$cur")
      return ;;
    --auth-method)
      mapfile -t COMPREPLY < <(compgen -W "client_secret_basic client_secret_post private_key_jwt none tls_client_auth self_signed_tls_client_auth" -- "$cur")
      return ;;
    -o | --output)
      local formats="token json header env curl"
      [[ $cmd == discover || $cmd == check ]] && formats="table json"
      [[ $cmd == flow ]] && formats="curl"
      [[ $cmd == decode ]] && formats="text json"
      [[ $cmd == fhir ]] && formats="json table curl"
      mapfile -t COMPREPLY < <(compgen -W "$formats" -- "$cur")
      return ;;
    --token-type-hint)
      mapfile -t COMPREPLY < <(compgen -W "access_token refresh_token" -- "$cur")
      return ;;
    --jwks)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
    --pkce)
      mapfile -t COMPREPLY < <(compgen -W "S256 plain none" -- "$cur")
      return ;;
    -X | --request)
      mapfile -t COMPREPLY < <(compgen -W "GET POST PUT PATCH DELETE" -- "$cur")
      return ;;
    --subject-token-type | --actor-token-type | --requested-token-type)
      mapfile -t COMPREPLY < <(compgen -W "access_token refresh_token id_token saml1 saml2 jwt" -- "$cur")
      return ;;
    --profile)
      mapfile -t COMPREPLY < <(compgen -W "$("$(_oauthctl_bin)" config profiles 2>/dev/null)" -- "$cur")
      return ;;
    --alg)
      local algs="RS256 RS384 ES256 ES384"
      [[ $cmd == keygen ]] && algs="ES384 RS384 ES256 RS256"
      mapfile -t COMPREPLY < <(compgen -W "$algs" -- "$cur")
      return ;;
    --only | --skip | --explain)
      mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" check --list 2>/dev/null | cut -d' ' -f1)" -- "$cur")
      return ;;
    --client-secret-file | --cacert | --config-file | --config | --data | --private-key | --assertion-key | \
      --out | --jwks-out | --junit | --baseline | --password-file)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
    --tls-cert | --tls-key | --tls-client-ca | --client-cert | --client-key)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
    --tls-dir)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      compopt -o filenames 2>/dev/null
      return ;;
  esac
  if _oauthctl_takes_value "$prev"; then
    return # a free-form value: nothing sensible to offer
  fi

  if [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_oauthctl_commands --help --version" -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_oauthctl_options "${path[@]:0:2}")" -- "$cur")
    return
  fi
  local words=
  case $cmd:${#path[@]} in
    flow:1) words=$_oauthctl_grants ;;
    help:1) words="grants exit-codes config environment $_oauthctl_commands" ;;
    config:1) words="list get set unset delete-profile path profiles" ;;
    cache:1) words="clear list path" ;;
    serve:1) words="keys" ;;
    serve:2) [[ ${path[1]} == keys ]] && words="list rotate" ;;
    config:2)
      [[ ${path[1]} == delete-profile ]] && words=$("$(_oauthctl_bin)" config profiles 2>/dev/null)
      [[ ${path[1]} == get || ${path[1]} == set || ${path[1]} == unset ]] &&
        words="server token_url fhir_url issuer client_id auth_method scope audience resource redirect_uri private_key kid alg authorize_url browser pkce login_hint redirect_timeout cacert client_cert client_key timeout client_secret_env client_secret_file client_secret_command description" ;;
    fhir:1)
      # The types the server's CapabilityStatement lists (the options typed so far say
      # which server; the binary caches the list for 5 minutes), else the common ones.
      words=$("$(_oauthctl_bin)" fhir --list-types "${opts[@]}" 2>/dev/null | tr '\n' ' ')
      [[ -n $words ]] && words+=" metadata" ||
        words="Patient Observation Encounter Condition Practitioner Organization metadata" ;;
  esac
  mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}

complete -F _oauthctl oauthctl
