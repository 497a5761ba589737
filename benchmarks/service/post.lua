-- wrk -s post.lua: one request again and again (method in $AIG_METHOD, body in $AIG_BODY_FILE,
-- key in $AIG_KEY).
wrk.method = os.getenv("AIG_METHOD") or "POST"
if wrk.method == "POST" then
  local f = io.open(os.getenv("AIG_BODY_FILE"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = os.getenv("AIG_CONTENT_TYPE") or "application/json"
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AIG_KEY")
