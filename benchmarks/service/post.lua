-- wrk -s orient.lua: POST one person to /v1/orient (key in $AIG_KEY, body in $AIG_BODY_FILE).
local f = io.open(os.getenv("AIG_BODY_FILE"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("AIG_CONTENT_TYPE") or "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AIG_KEY")
