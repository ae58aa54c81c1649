-- wrk script of PathBenchmark: POST /v1/chat/completions with "model":"auto", one kind of request per run.
--
-- wrk -s path.lua URL -- MODE STREAM TEXTS NONCE
--   MODE    "fixed": every request sends the first line of TEXTS as its message (one body, built once);
--           "cycle": every request sends the next line of TEXTS, with "NONCE.THREAD.CYCLE" appended in
--           invisible characters (see invisible()), so that no message is ever sent twice, not even across
--           runs, warm-ups and threads, while the classifier reads the line as it is
--   STREAM  "true" asks for a stream ("stream":true), "false" for a whole answer
--   TEXTS   a file of messages, one per line, as plain text (this script escapes them for JSON)
--   NONCE   a word unique to this run
--
-- done() prints one line, "PATHBENCH key=value ...", that PathBenchmark reads: requests, duration and
-- latency percentiles (microseconds) from wrk, socket errors from wrk, and what response() counted in
-- every thread: answers that were not 2xx, 2xx answers with a body that is not a complete answer (no
-- "choices" in a whole one, no "[DONE]" in a stream), and the router's x-router-escalated and
-- x-router-degraded headers.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

-- A JSON string literal: quotes, backslashes and control characters escaped; other bytes (UTF-8) kept.
local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == '\\' then return '\\\\' end
    if c == '\n' then return '\\n' end
    if c == '\r' then return '\\r' end
    if c == '\t' then return '\\t' end
    return string.format('\\u%04x', c:byte())
  end)
  return '"' .. escaped .. '"'
end

-- Each byte of the word as eight zero-width characters, U+200B for a 0 bit and U+200C for a 1: format
-- characters, which the embedding models' tokenizers drop, so the tag makes a message unique (the caches never
-- answer) without changing what the classifier sees. A visible tag would: its tokens lower the classifier's
-- confidence, which is not what real messages do.
local ZERO, ONE = "\226\128\139", "\226\128\140"
local function invisible(word)
  local parts = {}
  for i = 1, #word do
    local byte = word:byte(i)
    for bit = 7, 0, -1 do
      parts[#parts + 1] = math.floor(byte / 2 ^ bit) % 2 == 1 and ONE or ZERO
    end
  end
  return table.concat(parts)
end

local path = "/v1/chat/completions"
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "*/*" }
local prefix = '{"model":"auto","messages":[{"role":"user","content":'
local suffix
local texts = {}
local next_text = 1
local cycle = 0
local nonce
local mode
local expected
local fixed_request

responses = 0
non2xx = 0
incomplete = 0
escalated = 0
degraded = 0

function init(args)
  mode = args[1]
  local stream = args[2] == "true"
  local file = assert(io.open(args[3], "r"), "cannot read " .. tostring(args[3]))
  for line in file:lines() do
    if #line > 0 then table.insert(texts, line) end
  end
  file:close()
  assert(#texts > 0, "no messages in " .. args[3])
  nonce = args[4] or "0"
  if args[5] and args[5] ~= "-" then
    headers["Authorization"] = "Bearer " .. args[5]
  end
  if stream then
    suffix = '}],"stream":true}'
    expected = "[DONE]"
  else
    suffix = '}]}'
    expected = '"choices"'
  end
  if mode == "fixed" then
    fixed_request = wrk.format("POST", path, headers, prefix .. json_string(texts[1]) .. suffix)
  else
    -- threads start at different places in the list
    next_text = ((thread_id - 1) * math.floor(#texts / 2)) % #texts + 1
  end
end

function request()
  if fixed_request then
    return fixed_request
  end
  local text = texts[next_text]
  local content = text .. invisible(nonce .. "." .. thread_id .. "." .. cycle)
  next_text = next_text + 1
  if next_text > #texts then
    next_text = 1
    cycle = cycle + 1
  end
  return wrk.format("POST", path, headers, prefix .. json_string(content) .. suffix)
end

local function header(headers, name)
  return headers[name] or headers[name:lower()]
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    return
  end
  if not body or not body:find(expected, 1, true) then
    incomplete = incomplete + 1
  end
  if header(headers, "X-Router-Escalated") == "true" then
    escalated = escalated + 1
  end
  if header(headers, "X-Router-Degraded") == "true" then
    degraded = degraded + 1
  end
end

function done(summary, latency, requests)
  local totals = { responses = 0, non2xx = 0, incomplete = 0, escalated = 0, degraded = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "PATHBENCH requests=%d duration_us=%d bytes=%d responses=%d non2xx=%d incomplete=%d escalated=%d"
      .. " degraded=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d"
      .. " max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, summary.bytes, totals.responses, totals.non2xx, totals.incomplete,
    totals.escalated, totals.degraded, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
