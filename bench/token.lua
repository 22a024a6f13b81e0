-- SPDX-License-Identifier: MIT
-- wrk: POST a client_credentials token request as the demo client (client_secret_basic).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=system%2FPatient.read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="
