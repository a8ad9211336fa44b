;;; emacs_driver.el --- drives Emacs + Eglot through borrowlens for tests/e2e/test_emacs.py  -*- lexical-binding: t -*-

;; What a user does in Emacs with the configuration of docs/editors/emacs.md: open a Rust
;; file (rust-mode, whose hook starts Eglot), wait for the enriched diagnostic in Flymake, read
;; the hover through ElDoc, run M-x borrowlens-explain (the page's command, Eglot's
;; execute-command path), apply the preferred quick fix with M-x eglot-code-actions (RET at
;; its prompt takes the preferred action), save, and wait for the error to go away.  Every
;; observation is written to $BL_OUT as JSON; the Python test makes the assertions.
;;
;; Run as `emacs --batch -l emacs_driver.el'.  Inputs (environment):
;;   BL_SNIPPET  the Emacs Lisp of the page's Eglot section, evaluated as written
;;   BL_FILE     the Rust file to open
;;   BL_OUT      where to write the results
;;   BL_TIMEOUT  seconds each wait may take (a safety net)

(require 'cl-lib)
(require 'json)

(defvar bl-out (make-hash-table :test #'equal) "What the run observed.")
(defvar bl-steps nil "The steps done, newest first.")
(defvar bl-timeout (string-to-number (or (getenv "BL_TIMEOUT") "240")))

(defun bl-put (key value) (puthash key value bl-out))
(defun bl-step (name) (push name bl-steps))

(defun bl-finish (code)
  (bl-put "steps" (vconcat (reverse bl-steps)))
  (with-temp-file (getenv "BL_OUT")
    (insert (json-encode bl-out)))
  (kill-emacs code))

(defun bl-wait (what predicate &optional seconds)
  "Run the event loop (process output, timers) until PREDICATE holds."
  (let ((deadline (+ (float-time) (or seconds bl-timeout))))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.1))))

(defun bl-command-loop ()
  "What the command loop runs after each command: here Eglot's deferred connection
(`eglot-ensure') and Flymake's deferred start hang on it."
  (run-hooks 'post-command-hook))

;; What a user's Emacs does at start-up (batch mode skips it): activate the installed
;; packages, Debian's elpa-* ones included, with their autoloads (rust-mode for *.rs).
(package-activate-all)

(defun bl-eval-snippet (text)
  "Evaluate every form of TEXT in order, as if it were in the user's init file."
  (with-temp-buffer
    (insert text)
    (goto-char (point-min))
    (condition-case nil
        (while t (eval (read (current-buffer)) t))
      (end-of-file nil))))

(defun bl-lsp-diag (diag)
  "The LSP diagnostic Eglot keeps with a Flymake one, or nil."
  (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data diag))))

(defun bl-ours ()
  "The Flymake diagnostic borrowlens enriched, or nil."
  (cl-find-if (lambda (d)
                (plist-get (plist-get (bl-lsp-diag d) :data) :borrowlens))
              (flymake-diagnostics)))

(defun bl-errors ()
  (cl-loop for d in (flymake-diagnostics)
           when (eq (flymake-diagnostic-type d) 'eglot-error)
           collect (flymake-diagnostic-text d)))

(defun bl-run ()
  (bl-eval-snippet (or (getenv "BL_SNIPPET") (error "BL_SNIPPET is not set")))
  (find-file (getenv "BL_FILE"))
  (bl-put "major_mode" (symbol-name major-mode))
  (bl-command-loop)
  (bl-wait "Eglot to connect"
           (lambda () (and (eglot-current-server) eglot--managed-mode)))
  (let ((server (eglot-current-server)))
    (bl-put "server_program" (vconcat (process-command (jsonrpc--process server))))
    (bl-put "server_name" (plist-get (eglot--server-info server) :name))
    (bl-put "commands" (plist-get (plist-get (eglot--capabilities server)
                                             :executeCommandProvider)
                                  :commands))
    (bl-step "attached")

    ;; A save is what makes rust-analyzer run cargo check; saved again while nothing shows
    ;; up, in case the first one came before the workspace was loaded.
    (let ((saved-at 0))
      (bl-wait "an enriched diagnostic"
               (lambda ()
                 (bl-command-loop)
                 (or (bl-ours)
                     (progn
                       (when (> (- (float-time) saved-at) 60)
                         (set-buffer-modified-p t)
                         (save-buffer)
                         (setq saved-at (float-time)))
                       nil)))))
    (let* ((diag (bl-ours))
           (lsp (bl-lsp-diag diag)))
      (bl-put "diagnostic" (list :message (plist-get lsp :message)
                                 :flymake_text (flymake-diagnostic-text diag)
                                 :borrowlens (plist-get (plist-get lsp :data) :borrowlens)))
      (bl-step "diagnostic")
      ;; The cursor on the error, as a user puts it before asking for anything.
      (goto-char (flymake-diagnostic-beg diag)))

    ;; Hover: what ElDoc shows (Eglot's hover documentation function, rendered by Eglot), and
    ;; the raw markdown of the same request.
    (let ((shown nil))
      (run-hook-wrapped 'eldoc-documentation-functions
                        (lambda (fn)
                          (when (eq fn 'eglot-hover-eldoc-function)
                            (funcall fn (lambda (doc &rest _) (push (or doc "") shown))))
                          nil))
      (bl-wait "the hover" (lambda () shown))
      (bl-put "eldoc" (substring-no-properties (car shown))))
    (let ((hover (jsonrpc-request server :textDocument/hover
                                  (eglot--TextDocumentPositionParams))))
      (bl-put "hover" (plist-get (plist-get hover :contents) :value)))
    (bl-step "hover")

    ;; M-x borrowlens-explain, the command the page defines.
    (call-interactively 'borrowlens-explain)
    (let ((buffer (get-buffer "*borrowlens*")))
      (unless buffer (error "M-x borrowlens-explain made no *borrowlens* buffer"))
      (with-current-buffer buffer
        (bl-put "explain" (list :text (buffer-substring-no-properties (point-min) (point-max))
                                :mode (symbol-name major-mode)
                                :shown (and (get-buffer-window buffer t) t)))))
    (bl-step "explain")

    ;; M-x eglot-code-actions at the error, RET at its prompt: Eglot offers the preferred
    ;; action as the default, applies its workspace edit to the buffer.
    (let ((tick (buffer-chars-modified-tick))
          (offered nil)
          (prompt nil))
      (cl-letf* ((original (symbol-function 'eglot--read-execute-code-action))
                 ((symbol-function 'eglot--read-execute-code-action)
                  (lambda (actions &rest rest)
                    (setq offered actions)
                    (apply original actions rest)))
                 ((symbol-function 'completing-read)
                  (lambda (text _collection &optional _pred _req _init _hist default &rest _)
                    (setq prompt text)
                    default)))
        ;; A keyboard-invoked command (RET), not a mouse menu.
        (let ((last-nonmenu-event ?\r))
          (call-interactively #'eglot-code-actions)))
      (bl-put "actions" (vconcat (mapcar (lambda (a)
                                           (list :title (plist-get a :title)
                                                 :kind (plist-get a :kind)
                                                 :preferred (eq (plist-get a :isPreferred) t)))
                                         offered)))
      (bl-put "prompt" prompt)
      (when (= tick (buffer-chars-modified-tick))
        (error "The code action did not edit the buffer")))
    (bl-step "fixed")
    (save-buffer)
    (bl-put "text" (buffer-substring-no-properties (point-min) (point-max)))
    (bl-step "written")

    ;; Saving re-runs cargo check; the error must disappear from the editor.
    (bl-wait "the diagnostic to clear after the fix"
             (lambda () (bl-command-loop) (null (bl-ours))))
    (bl-put "errors_after" (vconcat (bl-errors)))
    (bl-step "cleared")

    ;; M-x eglot-shutdown: shutdown, exit, then Emacs deletes the process.
    (let ((process (jsonrpc--process server)))
      (bl-put "server_pid" (process-id process))
      (eglot-shutdown server)
      (bl-wait "the language server to exit"
               (lambda () (memq (process-status process) '(exit signal))) 30)
      (bl-put "server_exit" (list :status (symbol-name (process-status process))
                                  :code (process-exit-status process))))
    (bl-step "stopped")))

(condition-case err
    (progn (bl-run) (bl-finish 0))
  (error
   (bl-put "error" (error-message-string err))
   (let ((events (cl-find-if (lambda (b) (string-match-p "\\*EGLOT.*events\\*" (buffer-name b)))
                             (buffer-list))))
     (when events
       (with-current-buffer events
         (bl-put "events" (buffer-substring-no-properties
                           (max (point-min) (- (point-max) 8000)) (point-max))))))
   (bl-put "messages" (with-current-buffer "*Messages*"
                        (buffer-substring-no-properties
                         (max (point-min) (- (point-max) 4000)) (point-max))))
   (bl-finish 3)))

;;; emacs_driver.el ends here
