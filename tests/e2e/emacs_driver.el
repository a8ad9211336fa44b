;;; emacs_driver.el --- drives Emacs through borrowlens for tests/e2e/test_emacs.py  -*- lexical-binding: t -*-

;; What a user does in Emacs with a configuration of docs/editors/emacs.md, with Eglot or
;; lsp-mode: open a Rust file (rust-mode, whose hook starts the client), wait for the enriched
;; diagnostic in Flymake, read the hover (ElDoc for Eglot, M-x lsp-describe-thing-at-point for
;; lsp-mode), run M-x borrowlens-explain (the page's command, the client's execute-command
;; path), apply borrowlens' quick fix with the client's code-action command, save, wait for
;; the error to go away, shut the server down.  Every observation is written to $BL_OUT as
;; JSON; the Python test makes the assertions.
;;
;; Run as `emacs --batch -l emacs_driver.el'.  Inputs (environment):
;;   BL_CLIENT   eglot or lsp-mode
;;   BL_SNIPPET  the Emacs Lisp of the page's section for that client, evaluated as written
;;   BL_FILE     the Rust file to open
;;   BL_OUT      where to write the results
;;   BL_TIMEOUT  seconds each wait may take (a safety net)
;;
;; Batch mode has no command loop; `bl-wait' stands in for it while it waits: after each
;; "command" it runs `post-command-hook' (Eglot's deferred connection hangs on it) and, the
;; user being idle, the idle timers (lsp-deferred, lsp-mode's change notifications).

(require 'cl-lib)
(require 'json)

(defvar bl-out (make-hash-table :test #'equal) "What the run observed.")
(defvar bl-steps nil "The steps done, newest first.")
(defvar bl-timeout (string-to-number (or (getenv "BL_TIMEOUT") "240")))
(defvar bl-client (intern (or (getenv "BL_CLIENT") "eglot")))

(defun bl-put (key value) (puthash key value bl-out))
(defun bl-step (name) (push name bl-steps))

(defun bl-finish (code)
  (bl-put "steps" (vconcat (reverse bl-steps)))
  (with-temp-file (getenv "BL_OUT")
    (insert (json-encode bl-out)))
  (kill-emacs code))

(defun bl-command-loop ()
  "What the command loop would run between two commands of an idle user."
  (run-hooks 'post-command-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun bl-wait (what predicate &optional seconds)
  "Run the event loop (process output, timers) until PREDICATE holds."
  (let ((deadline (+ (float-time) (or seconds bl-timeout))))
    (while (progn (bl-command-loop) (not (funcall predicate)))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.1))))

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

(defun bl-get (object key)
  "KEY (a keyword) of a JSON object as the client parsed it: a plist (Eglot) or a hash
table with string keys (lsp-mode)."
  (cond ((hash-table-p object) (gethash (substring (symbol-name key) 1) object))
        ((listp object) (plist-get object key))))

(defun bl-markdown (contents)
  "The markdown of hover CONTENTS (MarkupContent)."
  (bl-get contents :value))

;;; The two clients: what differs is how each is asked.

(defun bl-attached-p ()
  (pcase bl-client
    ('eglot (and (eglot-current-server) eglot--managed-mode))
    ('lsp-mode (and (bound-and-true-p lsp-mode) (lsp-workspaces)
                    (eq (lsp--workspace-status (car (lsp-workspaces))) 'initialized)))))

(defun bl-server-facts ()
  (pcase bl-client
    ('eglot
     (let ((server (eglot-current-server)))
       (list :program (vconcat (process-command (jsonrpc--process server)))
             :name (plist-get (eglot--server-info server) :name)
             :commands (bl-get (bl-get (eglot--capabilities server) :executeCommandProvider)
                               :commands))))
    ('lsp-mode
     (let ((workspace (car (lsp-workspaces))))
       ;; lsp-mode 8.0 keeps no serverInfo: the name is that of its client definition.
       (list :program (vconcat (process-command (lsp--workspace-proc workspace)))
             :name (symbol-name (lsp--workspace-server-id workspace))
             :commands (bl-get (bl-get (lsp--workspace-server-capabilities workspace)
                                       :executeCommandProvider)
                               :commands))))))

(defun bl-lsp-diagnostics ()
  "The LSP diagnostics the client holds for the current buffer."
  (pcase bl-client
    ('eglot (delq nil (mapcar (lambda (d) (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))
                              (flymake-diagnostics))))
    ('lsp-mode (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t)))))

(defun bl-ours ()
  "The LSP diagnostic borrowlens enriched, or nil."
  (cl-find-if (lambda (d) (bl-get (bl-get d :data) :borrowlens)) (bl-lsp-diagnostics)))

(defun bl-position-point (position)
  (save-excursion
    (goto-char (point-min))
    (forward-line (bl-get position :line))
    ;; The fixture is ASCII: UTF-16 units are characters.
    (forward-char (bl-get position :character))
    (point)))

(defun bl-hover-request ()
  (pcase bl-client
    ('eglot (jsonrpc-request (eglot-current-server) :textDocument/hover
                             (eglot--TextDocumentPositionParams)))
    ('lsp-mode (lsp-request "textDocument/hover" (lsp--text-document-position-params)))))

(defun bl-hover-shown ()
  "The hover as the client shows it to the user."
  (pcase bl-client
    ('eglot
     ;; ElDoc calls Eglot's hover documentation function; what it hands over is displayed.
     (let ((shown nil))
       (run-hook-wrapped 'eldoc-documentation-functions
                         (lambda (fn)
                           (when (eq fn 'eglot-hover-eldoc-function)
                             (funcall fn (lambda (doc &rest _) (push (or doc "") shown))))
                           nil))
       (bl-wait "the hover" (lambda () shown))
       (car shown)))
    ('lsp-mode
     (call-interactively #'lsp-describe-thing-at-point)
     (with-current-buffer "*lsp-help*" (buffer-string)))))

(defvar bl-code-action-command
  (pcase bl-client ('eglot #'eglot-code-actions) ('lsp-mode #'lsp-execute-code-action))
  "M-x what a user types to pick a code action at point.")

(defvar bl-code-action-chooser
  (pcase bl-client ('eglot 'eglot--read-execute-code-action) ('lsp-mode 'lsp--select-action))
  "The client function that receives the actions and asks the user for one.")

(defun bl-pick (prompt collection default)
  "The user's answer at the code-action prompt: RET on the default when there is one
(Eglot offers the preferred action), else the borrowlens entry of the list."
  (or default
      (cl-find-if (lambda (title) (string-suffix-p "(borrowlens)" title))
                  (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
      (error "No borrowlens action at the prompt %S" prompt)))

(defun bl-shutdown ()
  "The client's shutdown command; returns the server process."
  (pcase bl-client
    ('eglot (let ((server (eglot-current-server)))
              (prog1 (jsonrpc--process server) (eglot-shutdown server))))
    ('lsp-mode (let ((workspace (car (lsp-workspaces))))
                 (prog1 (lsp--workspace-proc workspace) (lsp-workspace-shutdown workspace))))))

;;; The session.

(defun bl-run ()
  (bl-eval-snippet (or (getenv "BL_SNIPPET") (error "BL_SNIPPET is not set")))
  ;; lsp-mode asks which folder is the project root of a file it has not seen; the user
  ;; answers `i', the root it suggests (the version-control root).
  (cl-letf (((symbol-function 'read-key) (lambda (&rest _) ?i)))
    (find-file (getenv "BL_FILE"))
    (bl-put "major_mode" (symbol-name major-mode))
    (bl-wait "the client to connect" #'bl-attached-p))
  (bl-put "server" (bl-server-facts))
  (bl-step "attached")

  ;; A save is what makes rust-analyzer run cargo check; saved again while nothing shows up,
  ;; in case the first one came before the workspace was loaded.
  (let ((saved-at 0))
    (bl-wait "an enriched diagnostic"
             (lambda ()
               (or (bl-ours)
                   (progn
                     (when (> (- (float-time) saved-at) 60)
                       (set-buffer-modified-p t)
                       (save-buffer)
                       (setq saved-at (float-time)))
                     nil)))))
  (let* ((lsp (bl-ours))
         (start (bl-position-point (bl-get (bl-get lsp :range) :start)))
         (shown (cl-find-if (lambda (d) (= (flymake-diagnostic-beg d) start))
                            (flymake-diagnostics start (1+ start)))))
    (bl-put "diagnostic" (list :message (bl-get lsp :message)
                               :flymake_text (and shown (flymake-diagnostic-text shown))
                               :borrowlens (bl-get (bl-get lsp :data) :borrowlens)))
    ;; The cursor on the error, as a user puts it before asking for anything.
    (goto-char start))
  (bl-step "diagnostic")

  (bl-put "hover_shown" (substring-no-properties (bl-hover-shown)))
  (bl-put "hover" (bl-markdown (bl-get (bl-hover-request) :contents)))
  (bl-step "hover")

  ;; M-x borrowlens-explain, the command the page defines.
  (save-excursion (call-interactively 'borrowlens-explain))
  (let ((buffer (or (get-buffer "*borrowlens*")
                    (error "M-x borrowlens-explain made no *borrowlens* buffer"))))
    (with-current-buffer buffer
      (bl-put "explain" (list :text (buffer-substring-no-properties (point-min) (point-max))
                              :mode (symbol-name major-mode)
                              :shown (and (get-buffer-window buffer t) t)))))
  (bl-step "explain")

  ;; M-x <the client's code-action command> at the error; the user's answer at its prompt.
  (let ((tick (buffer-chars-modified-tick))
        (offered nil)
        (prompt nil))
    (cl-letf* ((chooser (symbol-function bl-code-action-chooser))
               ((symbol-function bl-code-action-chooser)
                (lambda (actions &rest rest)
                  (setq offered (append actions nil))
                  (apply chooser actions rest)))
               ((symbol-function 'completing-read)
                (lambda (text collection &optional _pred _req _init _hist default &rest _)
                  (setq prompt text)
                  (bl-pick text collection default))))
      ;; A keyboard-invoked command (RET), not a mouse menu.
      (let ((last-nonmenu-event ?\r))
        (call-interactively bl-code-action-command)))
    (bl-put "actions" (vconcat (mapcar (lambda (a)
                                         (list :title (bl-get a :title)
                                               :kind (bl-get a :kind)
                                               :preferred (eq (bl-get a :isPreferred) t)))
                                       offered)))
    (bl-put "prompt" prompt)
    (when (= tick (buffer-chars-modified-tick))
      (error "The code action did not edit the buffer")))
  (bl-step "fixed")
  (save-buffer)
  (bl-put "text" (buffer-substring-no-properties (point-min) (point-max)))
  (bl-step "written")

  ;; Saving re-runs cargo check; the error must disappear from the editor.
  (bl-wait "the diagnostic to clear after the fix" (lambda () (null (bl-ours))))
  (bl-put "errors_after" (vconcat (cl-loop for d in (bl-lsp-diagnostics)
                                           when (eql (bl-get d :severity) 1)
                                           collect (bl-get d :message))))
  (bl-step "cleared")

  (let ((process (bl-shutdown)))
    (bl-wait "the language server to exit"
             (lambda () (memq (process-status process) '(exit signal))) 30)
    (bl-put "server_exit" (list :status (symbol-name (process-status process))
                                :code (process-exit-status process))))
  (bl-step "stopped"))

(defun bl-tail (buffer-or-name chars)
  (let ((buffer (get-buffer buffer-or-name)))
    (when buffer
      (with-current-buffer buffer
        (buffer-substring-no-properties (max (point-min) (- (point-max) chars)) (point-max))))))

(condition-case err
    (progn (bl-run) (bl-finish 0))
  (error
   (bl-put "error" (error-message-string err))
   (bl-put "log" (mapconcat (lambda (b) (format "--- %s\n%s" (buffer-name b) (bl-tail b 6000)))
                            (cl-remove-if-not
                             (lambda (b) (string-match-p "\\*\\(EGLOT\\|lsp-log\\|rust-analyzer\\)"
                                                         (buffer-name b)))
                             (buffer-list))
                            "\n"))
   (bl-put "messages" (bl-tail "*Messages*" 4000))
   (bl-finish 3)))

;;; emacs_driver.el ends here
