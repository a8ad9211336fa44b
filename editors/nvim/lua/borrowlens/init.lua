-- borrowlens for Neovim 0.11+: runs `borrowlens` as the rust_analyzer language server and adds
-- :BorrowlensExplain, which shows the full explanation of the error under the cursor. While
-- the cursor is on an explained error, the explanation's numbered places ("① `shared` is
-- created here …") show as virtual text at the end of their lines (`markers = false` turns
-- that off; highlight group BorrowlensMarker, linked to Comment).
--
--   require('borrowlens').setup()                       -- `borrowlens` on PATH
--   require('borrowlens').setup({ cmd = { '/path/to/borrowlens' }, borrowlens = { explanation = 'full' } })
--
-- borrowlens stands in for the rust-analyzer command: it starts the real rust-analyzer itself
-- and passes everything through, so rust-analyzer keeps working as before.
local M = {}

---@class borrowlens.Options
---@field cmd? string[]          the server command (default { 'borrowlens' })
---@field name? string           the vim.lsp config to set up (default 'rust_analyzer')
---@field borrowlens? table      borrowlens' settings: summaryInMessage, hover, explanation
---@field settings? table        client settings, e.g. { ['rust-analyzer'] = { … } }
---@field configure? boolean     set up vim.lsp.config(name, …) (default true; false when another
---                              plugin such as rustaceanvim starts the server: only the command)
---@field enable? boolean        call vim.lsp.enable(name) (default true)
---@field explain_window? 'float'|'split'  where :BorrowlensExplain shows its text (default 'float')
---@field markers? boolean       the numbered places of the error under the cursor as virtual
---                              text after their lines (default true)
---@field lsp? table             any other vim.lsp.Config fields, merged last

M.options = {
  cmd = { 'borrowlens' },
  name = 'rust_analyzer',
  borrowlens = {},
  settings = {},
  configure = true,
  enable = true,
  explain_window = 'float',
  markers = true,
  lsp = {},
}

--- The namespace of the markers' extmarks.
M.markers_namespace = vim.api.nvim_create_namespace('borrowlens.markers')

local function client_for(bufnr)
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = bufnr })) do
    local provider = client.server_capabilities.executeCommandProvider
    if provider and vim.tbl_contains(provider.commands or {}, 'borrowlens.explain') then
      return client
    end
  end
  return nil
end

--- Shows markdown in a floating window (or a split) and returns its buffer and window.
---@param markdown string
---@return integer bufnr, integer winid
function M.show(markdown)
  local lines = vim.split(markdown, '\n', { plain = true })
  if M.options.explain_window == 'split' then
    local bufnr = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
    vim.bo[bufnr].filetype = 'markdown'
    vim.bo[bufnr].modifiable = false
    vim.bo[bufnr].bufhidden = 'wipe'
    vim.b[bufnr].borrowlens_explanation = true
    vim.cmd('botright split')
    local winid = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(winid, bufnr)
    return bufnr, winid
  end
  local bufnr, winid = vim.lsp.util.open_floating_preview(lines, 'markdown', {
    border = 'rounded',
    focus_id = 'borrowlens.explain',
    max_width = math.max(60, math.floor(vim.o.columns * 0.8)),
    max_height = math.max(10, math.floor(vim.o.lines * 0.8)),
  })
  vim.b[bufnr].borrowlens_explanation = true
  return bufnr, winid
end

--- Asks the server for the full explanation at the cursor (`borrowlens.explain`) and shows it.
---@param bufnr? integer
---@param on_done? fun(markdown: string?, err: table?)  called after the text is shown
function M.explain(bufnr, on_done)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if client == nil then
    vim.notify('borrowlens: no language server with borrowlens.explain is attached',
      vim.log.levels.WARN)
    if on_done then on_done(nil, { message = 'no borrowlens client' }) end
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  client:request('workspace/executeCommand', {
    command = 'borrowlens.explain',
    arguments = { params.textDocument.uri, params.position },
  }, function(err, result)
    if err then
      vim.notify('borrowlens: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif type(result) == 'string' then
      M.show(result)
    end
    if on_done then on_done(type(result) == 'string' and result or nil, err) end
  end, bufnr)
end

--- `data.borrowlens` of the explained diagnostic under the cursor of window `winid` (an error
--- before a warning), or nil.
---@param winid integer
---@return table?
function M.payload_at_cursor(winid)
  local bufnr = vim.api.nvim_win_get_buf(winid)
  local cursor = vim.api.nvim_win_get_cursor(winid)
  local at = { cursor[1] - 1, cursor[2] }
  local function before(a, b)
    return a[1] < b[1] or (a[1] == b[1] and a[2] <= b[2])
  end
  local best, severity = nil, math.huge
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp
    local data = lsp and type(lsp.data) == 'table' and lsp.data.borrowlens
    -- vim.diagnostic's positions are bytes, converted from the server's encoding already.
    local start, finish = { d.lnum, d.col }, { d.end_lnum or d.lnum, d.end_col or d.col }
    if type(data) == 'table' and before(start, at) and before(at, finish)
        and d.severity < severity then
      best, severity = data, d.severity
    end
  end
  return best
end

-- The payload whose markers are shown, and the buffers they are shown in.
local shown = { payload = nil, buffers = {} }

local function clear_markers()
  for bufnr in pairs(shown.buffers) do
    if vim.api.nvim_buf_is_valid(bufnr) then
      vim.api.nvim_buf_clear_namespace(bufnr, M.markers_namespace, 0, -1)
    end
  end
  shown = { payload = nil, buffers = {} }
end

--- The loaded buffer of a marker's file and the marker's line in it, or nil.
local function marker_place(marker)
  local ok, bufnr, line = pcall(function()
    return vim.fn.bufnr(vim.uri_to_fname(marker.uri)), marker.range.start.line
  end)
  if ok and bufnr > 0 and vim.api.nvim_buf_is_loaded(bufnr) and type(line) == 'number'
      and line < vim.api.nvim_buf_line_count(bufnr) then
    return bufnr, line
  end
  return nil
end

--- Shows the markers of the explained error under the cursor (or clears them when there is
--- none): each marker as virtual text at the end of its line, in the loaded buffer of its file.
function M.update_markers()
  local payload = M.payload_at_cursor(vim.api.nvim_get_current_win())
  if payload == shown.payload then
    return
  end
  clear_markers()
  if payload == nil or type(payload.markers) ~= 'table' then
    return
  end
  shown.payload = payload
  for _, marker in ipairs(payload.markers) do
    local bufnr, line = marker_place(marker)
    if bufnr then
      vim.api.nvim_buf_set_extmark(bufnr, M.markers_namespace, line, 0, {
        virt_text = { { tostring(marker.label) .. ' ' .. tostring(marker.text),
                        'BorrowlensMarker' } },
        virt_text_pos = 'eol',
        hl_mode = 'combine',
      })
      shown.buffers[bufnr] = true
    end
  end
end

--- The cargo project of a file: the workspace its crate belongs to (one server for all of a
--- workspace's members), else the crate, else nil (rust-analyzer then serves the file alone).
---@param path string
---@return string?
function M.root(path)
  local crate = vim.fs.root(path, 'Cargo.toml')
  if crate == nil then
    return nil
  end
  -- Like cargo: the nearest manifest at or above the crate with a [workspace] table.
  for dir in vim.fs.parents(crate .. '/Cargo.toml') do
    local manifest = dir .. '/Cargo.toml'
    if vim.fn.filereadable(manifest) == 1 then
      for _, line in ipairs(vim.fn.readfile(manifest)) do
        if line:match('^%s*%[workspace%]') then
          return dir
        end
      end
    end
  end
  return crate
end

--- Configures `vim.lsp.config(name, …)` to run borrowlens and defines :BorrowlensExplain.
---@param opts? borrowlens.Options
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', M.options, opts or {})
  local o = M.options
  -- rust-analyzer takes its settings both as initializationOptions and from
  -- workspace/configuration; borrowlens reads its own `borrowlens` key from either and removes
  -- it before rust-analyzer sees the initializationOptions.
  local settings = vim.tbl_deep_extend('force', {}, o.settings, { borrowlens = o.borrowlens })
  local init_options = vim.deepcopy(settings['rust-analyzer'] or {})
  init_options.borrowlens = o.borrowlens
  local config = {
    cmd = o.cmd,
    filetypes = { 'rust' },
    root_dir = function(bufnr, on_dir)
      on_dir(M.root(vim.api.nvim_buf_get_name(bufnr)))
    end,
    settings = settings,
    init_options = init_options,
  }
  -- nvim-lspconfig's rust_analyzer already finds the workspace (cargo metadata): keep it.
  local existing = vim.lsp.config[o.name]
  if existing and (existing.root_dir or existing.root_markers) then
    config.root_dir = nil
  end
  if o.configure then
    vim.lsp.config(o.name, vim.tbl_deep_extend('force', config, o.lsp))
    if o.enable then
      vim.lsp.enable(o.name)
    end
  end
  vim.api.nvim_set_hl(0, 'BorrowlensMarker', { link = 'Comment', default = true })
  local group = vim.api.nvim_create_augroup('borrowlens.markers', { clear = true })
  clear_markers()
  if o.markers then
    local events = { 'CursorMoved', 'CursorMovedI', 'DiagnosticChanged', 'BufEnter' }
    vim.api.nvim_create_autocmd(events, {
      group = group,
      callback = M.update_markers,
      desc = 'borrowlens: the markers of the error under the cursor',
    })
  end
  vim.api.nvim_create_user_command('BorrowlensExplain', function()
    M.explain(0)
  end, { desc = 'borrowlens: explain the Rust error under the cursor' })
end

return M
