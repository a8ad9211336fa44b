-- borrowlens for Neovim 0.11+: runs `borrowlens` as the rust_analyzer language server and adds
-- :BorrowlensExplain, which shows the full explanation of the error under the cursor.
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
---@field lsp? table             any other vim.lsp.Config fields, merged last

M.options = {
  cmd = { 'borrowlens' },
  name = 'rust_analyzer',
  borrowlens = {},
  settings = {},
  configure = true,
  enable = true,
  explain_window = 'float',
  lsp = {},
}

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
  vim.api.nvim_create_user_command('BorrowlensExplain', function()
    M.explain(0)
  end, { desc = 'borrowlens: explain the Rust error under the cursor' })
end

return M
