-- SPDX-License-Identifier: MIT
-- wrk: the soak's request mix, in turn: a client_credentials token, an introspection of a
-- valid token, a FHIR read, and the authorization page (a 302 to the login form).
-- TOKEN and PATIENT come from the environment; wrk reports non-2xx/3xx answers itself.
local token = os.getenv("TOKEN")
local patient = os.getenv("PATIENT")
local basic = "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=" -- demo-client:demo-secret
local form = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = basic }
local requests = {}
local n = 0

function init(args)
  requests[1] = wrk.format("POST", "/auth/token", form, "grant_type=client_credentials&scope=system%2FPatient.read")
  requests[2] = wrk.format("POST", "/auth/introspect", form, "token=" .. token)
  requests[3] = wrk.format("GET", "/fhir/Patient/" .. patient, { ["Authorization"] = "Bearer " .. token })
  requests[4] = wrk.format("GET", "/auth/authorize?response_type=code&client_id=demo-public"
    .. "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=openid&state=s"
    .. "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256", {})
end

function request()
  n = n + 1
  return requests[(n % 4) + 1]
end
