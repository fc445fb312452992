package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// The web answer page: a customer with no chat vocbot can reach gets a
// link (Invitation.WebURL) and answers there, without an account or a
// cookie. The link is the capability: the invitation id and an HMAC of it
// under a key every replica shares. The page is a plain form (works without
// JavaScript); what is submitted goes through the Engine's conversation,
// so it is checked, recorded once and alerted on exactly as a chat answer.

// answerPath is where answer links point; the token follows.
const answerPath = "/answer/"

// answerMaxForm bounds a submitted form: a comment of MaxWebComment
// characters of up to 4 bytes each, percent-encoded, and a little more.
const answerMaxForm = 64 << 10

// AnswerEngine is what the answer page needs from the Engine.
type AnswerEngine interface {
	WebSurvey(ctx context.Context, id int64) (surveys.WebSurvey, error)
	AnswerWeb(ctx context.Context, a surveys.WebAnswer) (surveys.WebSurvey, error)
}

// Answers serves the web answer page and makes its links.
type Answers struct {
	engine AnswerEngine
	key    []byte
	base   string // the public base URL, no trailing slash
	origin string // its scheme://host, what a form post's Origin must be
	log    *slog.Logger
}

var _ surveys.WebLinks = (*Answers)(nil)

// NewAnswers serves answers with engine. key signs the links (at least 32
// bytes, the same on every replica); publicURL is VOCBOT_PUBLIC_URL, the
// base every link starts with.
func NewAnswers(engine AnswerEngine, key []byte, publicURL string, log *slog.Logger) (*Answers, error) {
	if len(key) < 32 {
		return nil, errors.New("web answers: the signing key must have at least 32 bytes")
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("web answers: links need VOCBOT_PUBLIC_URL, an absolute URL such as https://vocbot.example.com")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Answers{engine: engine, key: key, base: strings.TrimRight(publicURL, "/"), origin: u.Scheme + "://" + u.Host, log: log}, nil
}

// WebURL implements surveys.WebLinks: the signed link of inv.
func (a *Answers) WebURL(inv surveys.Invitation) string {
	return a.base + answerPath + a.token(inv.ID)
}

// token is "<id>.<mac>": the mac is 128 bits of HMAC-SHA256 over the id,
// enough that guessing one is hopeless, short enough for an SMS.
func (a *Answers) token(id int64) string {
	return strconv.FormatInt(id, 10) + "." + a.mac(id)
}

func (a *Answers) mac(id int64) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("vocbot web answer\x00" + strconv.FormatInt(id, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// invitation is the id a token signs, or false for a token vocbot did not
// make (tampered, truncated, another server's).
func (a *Answers) invitation(token string) (int64, bool) {
	idText, mac, ok := strings.Cut(token, ".")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText {
		return 0, false
	}
	return id, hmac.Equal([]byte(mac), []byte(a.mac(id)))
}

// Mount adds the answer page's routes to mux.
func (a *Answers) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+answerPath+"{token}", a.show)
	mux.HandleFunc("POST "+answerPath+"{token}", a.submit)
}

func (a *Answers) show(w http.ResponseWriter, r *http.Request) {
	id, ok := a.invitation(r.PathValue("token"))
	if !ok {
		a.problem(w, r, http.StatusNotFound, answerLocale(r), answerTextInvalid)
		return
	}
	v, err := a.engine.WebSurvey(r.Context(), id)
	if errors.Is(err, surveys.ErrNotFound) {
		a.problem(w, r, http.StatusNotFound, answerLocale(r), answerTextInvalid)
		return
	}
	if err != nil {
		a.failed(w, r, err)
		return
	}
	a.render(w, r, answerStatus(v), v, "")
}

func (a *Answers) submit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	id, ok := a.invitation(token)
	if !ok {
		a.problem(w, r, http.StatusNotFound, answerLocale(r), answerTextInvalid)
		return
	}
	v, err := a.engine.WebSurvey(r.Context(), id)
	if errors.Is(err, surveys.ErrNotFound) {
		a.problem(w, r, http.StatusNotFound, answerLocale(r), answerTextInvalid)
		return
	}
	if err != nil {
		a.failed(w, r, err)
		return
	}
	if !sameOrigin(r, a.origin) {
		a.problem(w, r, http.StatusForbidden, v.Locale, answerTextForeign)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, answerMaxForm)
	if err := r.ParseForm(); err != nil {
		a.problem(w, r, http.StatusRequestEntityTooLarge, v.Locale, answerTextTooLong)
		return
	}
	ans := surveys.WebAnswer{InvitationID: id}
	status := http.StatusOK
	switch r.PostForm.Get("question") {
	case string(surveys.QuestionScore):
		ans.Question, ans.Value = surveys.QuestionScore, r.PostForm.Get("score")
		if !answerOnScale(v.Score.Choices, ans.Value) {
			status = http.StatusUnprocessableEntity // the Engine says why, in the customer's words
		}
	case string(surveys.QuestionWhy):
		if v.State != surveys.WebFollowUp {
			// No "why?" is open: answered already, closed, or the score
			// comes first. The page as it stands says which.
			status := answerStatus(v)
			if v.State == surveys.WebDone {
				status = http.StatusConflict
			}
			a.render(w, r, status, v, "")
			return
		}
		ans.Question = surveys.QuestionWhy
		ans.Skip = r.PostForm.Has("skip")
		ans.Comment = strings.TrimSpace(r.PostForm.Get("comment"))
		ans.Reason = r.PostForm.Get("reason")
		asksComment := v.FollowUp.Text != ""
		switch {
		case ans.Skip:
			ans.Reason, ans.Comment = "", "" // Skip declines the whole step
		case ans.Reason != "" && (len(v.Reasons.Choices) == 0 || !answerOnScale(v.Reasons.Choices, ans.Reason)):
			a.render(w, r, http.StatusUnprocessableEntity, v, answerTextUnknownReason)
			return
		case utf8.RuneCountInString(ans.Comment) > surveys.MaxWebComment:
			a.render(w, r, http.StatusUnprocessableEntity, v, answerTextTooLong)
			return
		case asksComment && ans.Comment == "" && ans.Reason == "":
			a.render(w, r, http.StatusUnprocessableEntity, v, answerTextEmpty)
			return
		case !asksComment && ans.Reason == "":
			a.render(w, r, http.StatusUnprocessableEntity, v, answerTextChoose)
			return
		}
	default:
		a.render(w, r, http.StatusBadRequest, v, answerTextForeign)
		return
	}
	after, err := a.engine.AnswerWeb(r.Context(), ans)
	if errors.Is(err, surveys.ErrNotFound) {
		a.problem(w, r, http.StatusNotFound, answerLocale(r), answerTextInvalid)
		return
	}
	if err != nil {
		a.failed(w, r, err)
		return
	}
	switch {
	case after.State == surveys.WebClosed:
		status = http.StatusGone
	case after.Repeated:
		status = http.StatusConflict
	}
	a.render(w, r, status, after, "")
}

// answerStatus is the HTTP status of a page as it stands.
func answerStatus(v surveys.WebSurvey) int {
	if v.State == surveys.WebClosed {
		return http.StatusGone
	}
	return http.StatusOK
}

// answerOnScale reports whether value is one of the score buttons'.
func answerOnScale(choices []surveys.Choice, value string) bool {
	for _, c := range choices {
		if c.Value == value {
			return true
		}
	}
	return false
}

// sameOrigin is the page's CSRF check on top of the signed token: a browser
// sends Origin (or at least Referer) with a form post, and it must be the
// public URL's. A post with neither comes from no browser page at all
// (curl, a script holding the link), which the token alone authorizes.
func sameOrigin(r *http.Request, origin string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == origin
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && u.Scheme+"://"+u.Host == origin
	}
	return true
}

// failed is vocbot's own failure: logged, and a page that says to retry.
func (a *Answers) failed(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "web answer page failed", "err", err)
	a.problem(w, r, http.StatusInternalServerError, answerLocale(r), answerTextFailed)
}

//go:embed answer_templates/*.html
var answerTemplateFiles embed.FS

var answerTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"lines": func(s string) []string { return strings.Split(s, "\n") },
}).ParseFS(answerTemplateFiles, "answer_templates/*.html"))

// answerPage is what the templates render.
type answerPage struct {
	Lang, Dir string
	Title     string
	Problem   string // the page's only message when there is no survey
	Notice    string // a problem with what was just submitted
	Notes     []string
	Survey    *surveys.WebSurvey
	Ask       bool
	Why       bool
	Comment   string
	Reason    string // the reason chosen, kept when the step is shown again
	Texts     answerTexts
	Action    string
}

func (a *Answers) render(w http.ResponseWriter, r *http.Request, status int, v surveys.WebSurvey, notice answerTextID) {
	t := answerTextsFor(v.Locale)
	p := answerPage{Lang: v.Locale, Dir: answerDir(v.Locale), Title: t.Title, Notes: v.Notes, Survey: &v,
		Ask: v.State == surveys.WebAsk, Why: v.State == surveys.WebFollowUp, Texts: t,
		Action: answerPath + a.token(v.Invitation.ID)}
	if notice != "" {
		p.Notice = t.text(notice)
	}
	if p.Why && notice != "" {
		p.Comment = r.PostForm.Get("comment") // what they wrote stays in the box
		if answerOnScale(v.Reasons.Choices, r.PostForm.Get("reason")) {
			p.Reason = r.PostForm.Get("reason")
		}
	}
	answerWrite(w, status, p)
}

func (a *Answers) problem(w http.ResponseWriter, _ *http.Request, status int, locale string, id answerTextID) {
	t := answerTextsFor(locale)
	answerWrite(w, status, answerPage{Lang: locale, Dir: answerDir(locale), Title: t.Title, Problem: t.text(id), Texts: t})
}

func answerWrite(w http.ResponseWriter, status int, p answerPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The link is a capability: never sent to another site. same-origin,
	// not no-referrer: with no-referrer a browser posts the form with
	// "Origin: null", which the CSRF check must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = answerTemplates.ExecuteTemplate(w, "answer.html", p) // a write error: the customer has gone
}

func answerDir(locale string) string {
	if scoring.IsRTL(locale) {
		return "rtl"
	}
	return "ltr"
}

// answerLocale is the language of a page that has no invitation to take it
// from (a broken link): the browser's first language vocbot speaks.
func answerLocale(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if lang == "iw" {
			lang = "he"
		}
		for _, l := range surveys.Locales {
			if lang == l {
				return l
			}
		}
	}
	return "en"
}
