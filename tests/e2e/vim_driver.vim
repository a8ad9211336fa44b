" Drives a real Vim 9 with ALE through borrowlens the way a user would, for
" tests/e2e/test_vim.py: with the vimrc snippet of docs/editors/vim.md, open a Rust file,
" wait for the enriched diagnostic, :ALEHover, :BorrowlensExplain, :ALECodeAction (typing
" the number of borrowlens' fix at its prompt), :write, and wait for the error to go away.
" Every observation is written to $BL_OUT as JSON; the Python test makes the assertions.
"
" Run in a terminal as `vim -N -u vim_driver.vim -i NONE -n` (Vim's event loop, which ALE's
" jobs, channels and timers need, runs only with one). Inputs (environment):
"   BL_SNIPPET_FILE  the page's vimrc snippet, in a file to :source
"   BL_FILE          the Rust file to open
"   BL_OUT           where to write the results
"   BL_TIMEOUT       seconds each step may take (a safety net)

let s:out = {'steps': []}
let s:timeout = str2nr($BL_TIMEOUT) > 0 ? str2nr($BL_TIMEOUT) : 240

function! s:Finish(code) abort
  call writefile([json_encode(s:out)], $BL_OUT)
  execute a:code == 0 ? 'qall!' : 'cquit! ' . a:code
endfunction

" What a user's vimrc starts with (-u skips the defaults), then the page's snippet.
filetype plugin indent on
execute 'source ' . fnameescape($BL_SNIPPET_FILE)

function! s:Loclist() abort
  return get(get(g:ale_buffer_info, bufnr(s:file), {}), 'loclist', [])
endfunction

function! s:Ours() abort
  for l:item in s:Loclist()
    if l:item.linter_name is# 'analyzer' && get(l:item, 'detail', l:item.text) =~# 'borrowlens:'
      return l:item
    endif
  endfor
  return {}
endfunction

function! s:ExplainWindow() abort
  for l:win in getwininfo()
    let l:buffer = l:win.bufnr
    if getbufvar(l:buffer, '&filetype') is# 'markdown' && getbufvar(l:buffer, '&buftype') is# 'nofile'
      return l:win
    endif
  endfor
  return {}
endfunction

function! s:PreviewText() abort
  for l:win in getwininfo()
    if getwinvar(l:win.winid, '&previewwindow')
      return join(getbufline(l:win.bufnr, 1, '$'), "\n")
    endif
  endfor
  return ''
endfunction

" The steps, each a condition to wait for and what to do once it holds; a timer polls them
" so that Vim's event loop keeps running in between.
let s:step = 0
let s:started = 0
let s:saved_at = 0

function! s:Diagnostic() abort
  if empty(s:Ours())
    if reltimefloat(reltime()) - s:saved_at > 60
      " A save is what makes rust-analyzer run cargo check; again while nothing shows up.
      silent write
      let s:saved_at = reltimefloat(reltime())
    endif
    return 0
  endif
  let l:item = s:Ours()
  let s:out.diagnostic = {'text': l:item.text, 'detail': get(l:item, 'detail', ''),
        \ 'code': get(l:item, 'code', ''), 'type': l:item.type}
  let s:out.filetype = &filetype
  " The cursor on the error, as a user puts it before asking for anything.
  call cursor(l:item.lnum, l:item.col)
  ALEHover
  return 1
endfunction

function! s:Hover() abort
  let l:text = s:PreviewText()
  if empty(l:text)
    return 0
  endif
  let s:out.hover = l:text
  pclose
  BorrowlensExplain
  return 1
endfunction

function! s:Explain() abort
  let l:win = s:ExplainWindow()
  if empty(l:win)
    return 0
  endif
  let s:out.explain = join(getbufline(l:win.bufnr, 1, '$'), "\n")
  execute l:win.winnr . 'close'
  let s:tick = b:changedtick
  call s:AnswerPrompts()
  ALECodeAction
  return 1
endfunction

" ALE asks for the code action's number with input(); the user types the one of the line
" that ends in "(borrowlens)". Defined here, after ALE's autoload/ale/util.vim has been
" loaded, which would otherwise define it again.
function! s:AnswerPrompts() abort
  function! ale#util#Input(message, value, ...) abort
    let s:out.prompt = a:message
    for l:line in split(a:message, "\n")
      let l:match = matchlist(l:line, '^\(\d\+\)) \(.*(borrowlens)\)$')
      if !empty(l:match)
        return l:match[1]
      endif
    endfor
    return ''
  endfunction
endfunction

function! s:Fixed() abort
  if b:changedtick == s:tick
    return 0
  endif
  write
  let s:out.text = join(getline(1, '$'), "\n")
  return 1
endfunction

function! s:Cleared() abort
  if !empty(s:Ours())
    return 0
  endif
  let s:out.errors_after = map(filter(copy(s:Loclist()), 'v:val.type is# "E"'), 'v:val.text')
  ALEStopAllLSPs
  return 1
endfunction

let s:steps = [['diagnostic', function('s:Diagnostic')], ['hover', function('s:Hover')],
      \ ['explain', function('s:Explain')], ['fixed', function('s:Fixed')],
      \ ['cleared', function('s:Cleared')]]

function! s:Poll(timer) abort
  try
    let [l:name, l:Done] = s:steps[s:step]
    if l:Done()
      call add(s:out.steps, l:name)
      let s:step += 1
      let s:started = reltimefloat(reltime())
      if s:step == len(s:steps)
        call timer_stop(a:timer)
        call s:Finish(0)
      endif
    elseif reltimefloat(reltime()) - s:started > s:timeout
      throw 'timed out waiting for ' . l:name
    endif
  catch
    call timer_stop(a:timer)
    let s:out.error = v:exception . ' at ' . v:throwpoint
    let s:out.messages = execute('messages')
    let s:out.history = execute('ALEInfo')
    call s:Finish(3)
  endtry
endfunction

function! s:Start() abort
  let s:file = $BL_FILE
  execute 'edit ' . fnameescape(s:file)
  let s:started = reltimefloat(reltime())
  call timer_start(100, function('s:Poll'), {'repeat': -1})
endfunction

" nested: :edit inside it must fire BufRead/FileType (and so ALE's linting).
autocmd VimEnter * ++nested call s:Start()
