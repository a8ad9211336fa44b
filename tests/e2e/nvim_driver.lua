-- Drives a real, headless Neovim through borrowlens the way a user would, for
-- tests/e2e/test_neovim.py: open a Rust file, wait for the enriched diagnostic, hover it,
-- (with the Lua helper) run :BorrowlensExplain and read the markers' virtual text with the
-- cursor on the error and away from it, apply borrowlens' quick fix through Neovim's
-- own code-action machinery, :write, and wait for the error to go away. Every observation is
-- written to $BL_OUT as JSON; the Python test makes the assertions.
--
-- Run as `nvim --headless --clean -u nvim_driver.lua`. Inputs (environment):
--   BL_MODE     'plain' (the documented vim.lsp.config snippet) or 'helper' (editors/nvim)
--   BL_CMD      JSON array: the language server command
--   BL_SNIPPET  plain mode: the Lua of docs/editors/neovim.md's built-in client section
--   BL_FILE     the Rust file to open
--   BL_HELPER   editors/nvim (helper mode)
--   BL_OUT      where to write the results
--   BL_TIMEOUT  milliseconds each wait may take (a safety net)
--   BL_ROOT_PROBES  JSON array of files whose project root the helper is asked for (optional)

local env = vim.env
local out = {
  steps = {},
  error = nil,
}
local timeout = tonumber(env.BL_TIMEOUT or '240000')
local server_exit = nil

local function step(name)
  table.insert(out.steps, name)
end

local function finish(code)
  local file = assert(io.open(env.BL_OUT, 'w'))
  file:write(vim.json.encode(out))
  file:close()
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

local function on_exit(code, signal)
  server_exit = { code = code, signal = signal }
end

-- What a user's Neovim does at startup (with -u, the driver must ask for it itself).
vim.cmd('filetype plugin indent on')

local cmd = vim.json.decode(env.BL_CMD)
local setup_error = nil
if env.BL_MODE == 'helper' then
  vim.opt.runtimepath:prepend(env.BL_HELPER)
  require('borrowlens').setup({
    cmd = cmd,
    borrowlens = { summaryInMessage = true, explanation = 'short' },
    lsp = { on_exit = on_exit },
  })
else
  -- The documented snippet, run as written. It sees a `vim` whose `vim.lsp.config` swaps in
  -- the command under test and records the server's exit; everything else is Neovim's own.
  -- Its `settings` are sent as workspace/didChangeConfiguration right after initialize.
  -- A failure is reported at VimEnter like any other (an error here would stop the script).
  local ok, err = xpcall(function()
    local snippet = assert(loadstring(assert(env.BL_SNIPPET, 'BL_SNIPPET is not set'),
                                      '=docs/editors/neovim.md'))
    local configured = false
    local lsp = setmetatable({
      config = function(name, config)
        configured = true
        config.cmd = cmd
        config.on_exit = on_exit
        vim.lsp.config(name, config)
      end,
    }, { __index = vim.lsp })
    setfenv(snippet, setmetatable({ vim = setmetatable({ lsp = lsp }, { __index = vim }) },
                                  { __index = _G }))
    snippet()
    assert(configured, 'the snippet did not call vim.lsp.config')
  end, debug.traceback)
  if not ok then
    setup_error = 'the documented snippet failed: ' .. err
  end
end

local function wait(what, predicate, ms)
  if not vim.wait(ms or timeout, predicate, 100) then
    error('timed out waiting for ' .. what)
  end
end

local function ours(bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp
    if lsp and type(lsp.data) == 'table' and lsp.data.borrowlens then
      return d
    end
  end
  return nil
end

local function explanation_window()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    local buf = vim.api.nvim_win_get_buf(win)
    if vim.b[buf].borrowlens_explanation then
      return win, buf
    end
  end
  return nil
end

local function run()
  if env.BL_MODE == 'helper' and env.BL_ROOT_PROBES then
    out.roots = {}
    for _, path in ipairs(vim.json.decode(env.BL_ROOT_PROBES)) do
      table.insert(out.roots, require('borrowlens').root(path) or vim.NIL)
    end
  end
  vim.cmd.edit(vim.fn.fnameescape(env.BL_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[bufnr].filetype
  wait('the language server to attach', function()
    local clients = vim.lsp.get_clients({ bufnr = bufnr })
    return #clients > 0 and clients[1].initialized
  end)
  local client = vim.lsp.get_clients({ bufnr = bufnr })[1]
  out.client = client.name
  out.server_name = (client.server_info or {}).name
  out.commands = (client.server_capabilities.executeCommandProvider or {}).commands
  step('attached')

  -- A save is what makes rust-analyzer run cargo check; saved again while nothing shows up
  -- in case the first one came before the workspace was loaded.
  local saves = 0
  wait('an enriched diagnostic', function()
    if ours(bufnr) then
      return true
    end
    if saves == 0 or vim.uv.now() - out.saved_at > 60000 then
      vim.cmd('silent write')
      saves = saves + 1
      out.saved_at = vim.uv.now()
    end
    return false
  end)
  local diagnostic = ours(bufnr)
  local lsp = diagnostic.user_data.lsp
  out.diagnostic = {
    message = diagnostic.message,
    lnum = diagnostic.lnum,
    col = diagnostic.col,
    source = diagnostic.source,
    borrowlens = lsp.data.borrowlens,
    related = lsp.relatedInformation,
  }
  step('diagnostic')

  -- Hover where the error is.
  local position = lsp.range.start
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = position,
  }, timeout)
  out.hover = {}
  for _, response in pairs(hover or {}) do
    if response.err then
      error('hover failed: ' .. vim.inspect(response.err))
    end
    local contents = response.result and response.result.contents
    if type(contents) == 'table' and contents.value then
      table.insert(out.hover, contents.value)
    else
      table.insert(out.hover, vim.json.encode(contents or vim.NIL))
    end
  end
  step('hover')

  -- The cursor on the error, as a user would put it before asking for anything.
  local line = vim.api.nvim_buf_get_lines(bufnr, position.line, position.line + 1, false)[1]
  local byte_col = vim.str_byteindex(line, client.offset_encoding, position.character, false)
  vim.api.nvim_win_set_cursor(0, { position.line + 1, byte_col })

  if env.BL_MODE == 'helper' then
    vim.cmd('BorrowlensExplain')
    wait('the :BorrowlensExplain window', function()
      return explanation_window() ~= nil
    end)
    local win, buf = explanation_window()
    out.explain = {
      text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'),
      filetype = vim.bo[buf].filetype,
      floating = vim.api.nvim_win_get_config(win).relative ~= '',
    }
    vim.api.nvim_win_close(win, true)
    step('explain')
  end

  if env.BL_MODE == 'helper' then
    -- The markers' virtual text: shown with the cursor on the error, gone once it leaves.
    -- Neovim fires CursorMoved from its main loop, which does not run while this script
    -- does: the driver fires it as the loop would after each move.
    local ns = vim.api.nvim_get_namespaces()['borrowlens.markers']
    local function marks()
      local found = {}
      local extmarks = vim.api.nvim_buf_get_extmarks(bufnr, ns or -1, 0, -1, { details = true })
      for _, mark in ipairs(extmarks) do
        local chunk = (mark[4].virt_text or {})[1] or {}
        table.insert(found, { row = mark[2], text = chunk[1], hl = chunk[2] })
      end
      return found
    end
    local function move(row, col)
      vim.api.nvim_win_set_cursor(0, { row, col })
      vim.api.nvim_exec_autocmds('CursorMoved', { buffer = bufnr })
    end
    move(position.line + 1, byte_col)
    wait('the markers with the cursor on the error', function()
      return #marks() > 0
    end, 10000)
    out.markers = { on_error = marks(), named = {} }
    -- What each marker's range covers in the buffer (the server's columns are UTF-16).
    for _, marker in ipairs(lsp.data.borrowlens.markers or {}) do
      local r = marker.range
      local text = vim.api.nvim_buf_get_lines(bufnr, r.start.line, r.start.line + 1, false)[1]
      local from = vim.str_byteindex(text, client.offset_encoding, r.start.character, false)
      local to = vim.str_byteindex(text, client.offset_encoding, r['end'].character, false)
      table.insert(out.markers.named, text:sub(from + 1, to))
    end
    move(1, 0)
    wait('the markers to go with the cursor away from the error', function()
      return #marks() == 0
    end, 10000)
    out.markers.away = marks()
    move(position.line + 1, byte_col)
    step('markers')
  end

  if env.BL_WAIT_VERIFIED then
    -- Fixes proven in the editor: ask again until borrowlens' background check has titled
    -- its fix "— compiles" and withdrawn the broken one the test server injects.
    local params = {
      textDocument = vim.lsp.util.make_text_document_params(bufnr),
      range = lsp.range,
      context = { diagnostics = { lsp }, only = { 'quickfix' } },
    }
    local deadline = vim.uv.now() + timeout
    while true do
      local titles = {}
      local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout)
      for _, response in pairs(responses or {}) do
        for _, action in ipairs(response.result or {}) do
          if action.title and action.title:find('(borrowlens)', 1, true) then
            table.insert(titles, action.title)
          end
        end
      end
      out.verified = titles
      if #titles == 1 and titles[1]:find('— compiles', 1, true) then
        break
      end
      if vim.uv.now() > deadline then
        error('timed out waiting for the fix to be proven: ' .. vim.inspect(titles))
      end
      vim.wait(1000)
    end
    step('verified')
  end

  -- The quick fix, through Neovim's own code-action request and workspace-edit application.
  out.actions = {}
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'quickfix' } },
    filter = function(action)
      table.insert(out.actions, { title = action.title, preferred = action.isPreferred == true })
      return action.isPreferred == true and action.title:find('(borrowlens)', 1, true) ~= nil
    end,
  })
  wait('the quick fix to edit the buffer', function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end)
  step('fixed')
  vim.cmd('write')
  out.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  step('written')

  -- Saving re-runs cargo check; the error must disappear from the editor.
  wait('the diagnostic to clear after the fix', function()
    return ours(bufnr) == nil
  end)
  out.errors_after = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR })) do
    table.insert(out.errors_after, d.message)
  end
  step('cleared')

  -- A clean shutdown: the server must exit 0 (shutdown + exit), leaving nothing behind.
  client:stop()
  wait('the language server to exit', function()
    return server_exit ~= nil
  end, 30000)
  out.server_exit = server_exit
  step('stopped')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so that :edit inside it fires BufRead/FileType (and so the LSP attach)
  callback = function()
    local ok, err = false, setup_error
    if setup_error == nil then
      ok, err = xpcall(run, debug.traceback)
    end
    if not ok then
      out.error = err
      out.server_exit = server_exit
      finish(3)
    else
      finish(0)
    end
  end,
})
