# SPDX-License-Identifier: MIT
# fish completion for oauthctl. Installed to share/fish/vendor_completions.d/oauthctl.fish.

set -l commands token fhir flow serve discover check config cache logout introspect revoke decode keygen help
set -l client token fhir flow discover check logout introspect revoke decode
set -l grants client_credentials authorization_code password implicit refresh_token token_exchange device_code jwt_bearer

complete -c oauthctl -f

# Runs the oauthctl being completed (an alias function, a path such as ./build/oauthctl,
# or `oauthctl` on PATH as the last resort): never a fixed name that may not exist.
# An alias made with `alias oc=...` wraps oauthctl, so these completions apply to it.
function __oauthctl_run
    set -l cmd (commandline -opc)[1]
    if test -z "$cmd"; or not type -q -- $cmd
        set cmd oauthctl
    end
    $cmd $argv 2>/dev/null
end
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -l help -s h -d 'print help'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -l version -d 'print versions'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a token -d 'obtain a token and print it'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a fhir -d 'an authorized FHIR request'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a flow -d 'run a grant step by step'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a serve -d 'run the local servers'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a discover -d 'print server metadata'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a check -d 'run conformance checks against a server'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a config -d 'read and edit profiles'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a cache -d 'manage the token cache'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a logout -d 'remove and revoke cached tokens'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a introspect -d 'is a token active? (RFC 7662)'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a revoke -d 'revoke a token (RFC 7009)'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a decode -d 'show and verify a JWT'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a help -d 'help on a topic'
complete -c oauthctl -n "not __fish_seen_subcommand_from $commands" -a keygen -d 'generate a key pair for private_key_jwt'

# Client options (token, fhir, flow, discover, logout).
set -l c "__fish_seen_subcommand_from $client"
complete -c oauthctl -n $c -l server -x -d 'server base URL'
complete -c oauthctl -n $c -l token-url -x -d 'token endpoint'
complete -c oauthctl -n $c -l issuer -x -d 'the issuer discovery must find'
complete -c oauthctl -n $c -l fhir-url -x -d 'FHIR base URL'
complete -c oauthctl -n $c -l client-id -x -d 'client id'
complete -c oauthctl -n $c -l client-secret -x -d "client secret ('-': stdin)"
complete -c oauthctl -n $c -l client-secret-file -r -F -d 'file holding the client secret'
complete -c oauthctl -n $c -l auth-method -x -a 'client_secret_basic client_secret_post private_key_jwt none tls_client_auth self_signed_tls_client_auth' -d 'client authentication'
complete -c oauthctl -n $c -l scope -x -d 'scopes to request'
complete -c oauthctl -n $c -l audience -x -d 'audience'
complete -c oauthctl -n $c -l resource -x -d 'resource indicator'
complete -c oauthctl -n $c -l cacert -r -F -d 'CA certificates (PEM)'
complete -c oauthctl -n $c -l client-cert -r -F -d 'mutual TLS client certificate (PEM)'
complete -c oauthctl -n $c -l client-key -r -F -d 'private key of --client-cert (PEM)'
complete -c oauthctl -n $c -l insecure -d 'do not verify TLS'
complete -c oauthctl -n $c -l timeout -x -d 'seconds per request'
complete -c oauthctl -n $c -s v -l verbose -d 'trace HTTP to stderr'
complete -c oauthctl -n $c -l private-key -r -F -d 'PEM key for private_key_jwt'
complete -c oauthctl -n "__fish_seen_subcommand_from $client keygen" -l kid -x -d 'key id'
complete -c oauthctl -n $c -l alg -x -a 'RS256 RS384 ES256 ES384' -d 'signing algorithm'
complete -c oauthctl -n $c -l assertion -x -d "JWT for jwt_bearer ('-': stdin)"
complete -c oauthctl -n $c -l assertion-key -r -F -d 'PEM key to sign the jwt_bearer assertion'
complete -c oauthctl -n $c -l assertion-claims -x -d 'JSON claims or @FILE'
complete -c oauthctl -n "__fish_seen_subcommand_from $client config" -l profile -x -a '(__oauthctl_run config profiles)' -d 'profile'
complete -c oauthctl -n "__fish_seen_subcommand_from $client config" -l config-file -r -F -d 'client config file'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l authorize-url -x -d 'authorization endpoint'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l redirect-uri -x -d 'loopback redirect URI'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l browser -x -a 'none' -d 'browser command'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l pkce -x -a 'S256 plain none' -d 'PKCE method'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l redirect-timeout -x -d 'seconds to wait'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l login-hint -x -d 'login_hint'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l launch -x -d 'SMART launch context'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l authorize-param -x -d 'NAME=VALUE'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l refresh-token -x -d 'refresh token'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l username -x -d 'resource owner (password grant)'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l password -x -d "password; '-' reads stdin"
set -l token_types 'access_token refresh_token id_token saml1 saml2 jwt'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l subject-token -x -d 'token to exchange'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l subject-token-type -x -a "$token_types" -d 'RFC 8693 token type'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l actor-token -x -d 'actor token'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l actor-token-type -x -a "$token_types" -d 'RFC 8693 token type'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir flow" -l requested-token-type -x -a "$token_types" -d 'token type to ask for'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir" -s g -l grant -x -a "$grants" -d 'grant'
complete -c oauthctl -n "__fish_seen_subcommand_from token" -s o -l output -x -a 'token json header env curl' -d 'output format'
complete -c oauthctl -n "__fish_seen_subcommand_from flow" -s o -l output -x -a 'curl' -d 'requests as curl commands'
complete -c oauthctl -n "__fish_seen_subcommand_from discover" -s o -l output -x -a 'table json' -d 'output format'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -s o -l output -x -a 'json table' -d 'output format'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir introspect decode discover" -l pretty -d 'indent JSON output'
complete -c oauthctl -n "__fish_seen_subcommand_from token fhir introspect decode discover" -l compact -d 'JSON output on one line'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -s o -l output -x -a 'table json' -d 'output format'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l only -x -a '(oauthctl check --list | cut -d" " -f1)' -d 'run only these checks or groups'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l skip -x -a '(oauthctl check --list | cut -d" " -f1)' -d 'leave out checks or groups'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l explain -x -a '(oauthctl check --list | cut -d" " -f1)' -d 'explain one check'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l list -d 'list every check'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l junit -r -F -d 'write a JUnit XML report'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l baseline -r -F -d 'known failures file'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l login -x -d 'sign in headlessly as USER'
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l password-file -r -F -d "--login's password file"
complete -c oauthctl -n "__fish_seen_subcommand_from check" -l unauthorized-grant -x -a 'client_credentials authorization_code password refresh_token token_exchange device_code jwt_bearer' -d 'a grant this client may not use'
complete -c oauthctl -n "__fish_seen_subcommand_from token" -l no-cache -d 'do not use the token cache'
complete -c oauthctl -n "__fish_seen_subcommand_from token" -l force -d 'fetch a new token'
complete -c oauthctl -n "__fish_seen_subcommand_from token" -s q -l quiet -d 'no browser, no narration'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -l access-token -x -d 'use this access token'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -s X -l request -x -a 'GET POST PUT PATCH DELETE' -d 'HTTP method'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -s d -l data -x -d 'JSON body, @FILE or -'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -s o -l output -x -a 'json curl' -d 'output format'
complete -c oauthctl -n "__fish_seen_subcommand_from $client" -l no-profile -d 'use no profile'
# The types the server's CapabilityStatement lists (the words after `fhir` say which
# server; the binary caches the list for 5 minutes), else the common ones.
function __oauthctl_fhir_types
    set -l tokens (commandline -opc)
    set -l at (contains -i -- fhir $tokens)
    set -l types (__oauthctl_run fhir --list-types $tokens[(math $at + 1)..-1])
    if test (count $types) -gt 0
        printf '%s\n' $types metadata
    else
        printf '%s\n' Patient Observation Encounter Condition Practitioner Organization metadata
    end
end
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -a '(__oauthctl_fhir_types)'
complete -c oauthctl -n "__fish_seen_subcommand_from fhir" -l list-types -d "the server's resource types"

complete -c oauthctl -n "__fish_seen_subcommand_from flow" -l fhir-path -x -d 'FHIR request to make'
complete -c oauthctl -n "__fish_seen_subcommand_from flow" -l show-secrets -d 'do not redact'
complete -c oauthctl -n "__fish_seen_subcommand_from flow; and not __fish_seen_subcommand_from $grants" -a "$grants"
complete -c oauthctl -n "__fish_seen_subcommand_from logout" -l all -d 'every cached token'
complete -c oauthctl -n "__fish_seen_subcommand_from introspect revoke" -l token-type-hint -x -a 'access_token refresh_token' -d 'where to look first'
complete -c oauthctl -n "__fish_seen_subcommand_from decode" -l jwks -r -F -d 'JWK Set file or URL to verify with'
complete -c oauthctl -n "__fish_seen_subcommand_from decode" -s o -l output -x -a 'text json' -d 'output format'

# serve
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l host -x -d 'address to listen on'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l port -x -d 'port (0: any free)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l config -r -F -d 'seed file (JSON or YAML)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l simulate -x -a "list (oauthctl serve --simulate list | cut -d\" \" -f1)" -d 'misbehave on purpose (faults)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l data -r -F -d 'SQLite store'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l store -r -d 'live state: sqlite:PATH or postgres://USER@HOST:PORT/DB'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l store-pool -r -d 'database connections at most (default 8)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l issuer -x -d 'issuer URL'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l device-interval -x -d 'device poll interval (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l device-lifetime -x -d 'device code lifetime (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l login-backoff -x -d 'FAILURES:SECONDS password backoff'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l consent-lifetime -x -d 'how long consent lasts (90d)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l header-timeout -x -d 'header deadline (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l body-timeout -x -d 'body deadline (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l idle-timeout -x -d 'keep-alive idle timeout (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-header-bytes -x -d 'header size limit'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-header-count -x -d 'header field limit'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-token-body-bytes -x -d 'token/introspect/revoke body limit'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-body-bytes -x -d 'other body limit'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-connections -x -d 'connection limit'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l max-connections-per-address -x -d 'connections per client address'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l shutdown-grace -x -d 'graceful stop bound (s)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l workers -x -d 'endpoint worker threads'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l tls-cert -r -F -d 'serve HTTPS: certificate (PEM)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l tls-key -r -F -d 'serve HTTPS: private key (PEM)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l tls-self-signed -d 'serve HTTPS with a localhost certificate'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l tls-dir -r -a '(__fish_complete_directories)' -d 'where --tls-self-signed keeps its certificate'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l mtls-port -x -d 'mutual TLS on its own port (0: any free)'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l tls-client-ca -r -F -d 'CA of tls_client_auth client certificates'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l demo -d 'seed the demo client and user'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -l ephemeral -d 'keep everything in memory'
complete -c oauthctl -n "__fish_seen_subcommand_from serve" -s q -l quiet -d 'no request log'

# keygen
complete -c oauthctl -n "__fish_seen_subcommand_from keygen" -l alg -x -a 'ES384 RS384 ES256 RS256' -d 'key algorithm'
complete -c oauthctl -n "__fish_seen_subcommand_from keygen" -l out -r -F -d 'private key file (0600)'
complete -c oauthctl -n "__fish_seen_subcommand_from keygen" -l jwks-out -r -F -d 'public JWK Set file'
complete -c oauthctl -n "__fish_seen_subcommand_from keygen" -l client-id -x -d 'client id for the snippet'
complete -c oauthctl -n "__fish_seen_subcommand_from keygen" -l force -d 'overwrite existing files'

# config, cache, serve keys, help
set -l keys server token_url fhir_url issuer client_id auth_method scope audience resource redirect_uri private_key kid alg authorize_url browser pkce login_hint redirect_timeout cacert client_cert client_key timeout client_secret_env client_secret_file client_secret_command description
complete -c oauthctl -n "__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from list get set unset delete-profile path profiles" -a 'list get set unset delete-profile path profiles'
complete -c oauthctl -n "__fish_seen_subcommand_from config; and __fish_seen_subcommand_from get set unset" -a "$keys"
complete -c oauthctl -n "__fish_seen_subcommand_from config; and __fish_seen_subcommand_from delete-profile" -a '(__oauthctl_run config profiles)'
complete -c oauthctl -n "__fish_seen_subcommand_from cache; and not __fish_seen_subcommand_from clear list path" -a 'clear list path'
complete -c oauthctl -n "__fish_seen_subcommand_from serve; and not __fish_seen_subcommand_from keys" -a keys -d 'signing keys: list, rotate'
complete -c oauthctl -n "__fish_seen_subcommand_from serve; and __fish_seen_subcommand_from keys; and not __fish_seen_subcommand_from list rotate" -a 'list rotate'
complete -c oauthctl -n "__fish_seen_subcommand_from help" -a "grants exit-codes config environment $commands"
