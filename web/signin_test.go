package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/web"
)

// sessionCookie is the session cookie a response set, or nil.
func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == web.SessionCookie {
			return c
		}
	}
	return nil
}

func TestSignInLink(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newWebFixture(t, db)
		link, expires, err := f.signin.SignInLink(ctx, "slack:U0123", 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link, publicURL+"/signin/") || time.Until(expires) > 16*time.Minute {
			t.Fatalf("got link %q until %s, want one under %s/signin/ for 15 minutes", link, expires, publicURL)
		}
		path := strings.TrimPrefix(link, publicURL)
		origin := map[string]string{"Origin": publicURL}

		// Opening the link (a preview bot does too) spends nothing.
		for range 2 {
			w := f.do(t, request{method: "GET", path: path})
			if w.Code != 200 || !strings.Contains(w.Body.String(), `<form method="post" action="`+path+`">`) || sessionCookie(w) != nil {
				t.Fatalf("GET link: got %d, cookie %v\n%s\nwant 200 with a confirm form and no cookie", w.Code, sessionCookie(w), w.Body)
			}
		}
		// A form on another site cannot sign the browser in (login CSRF).
		if w := f.do(t, request{method: "POST", path: path, form: map[string][]string{}, header: map[string]string{"Origin": "https://evil.example"}}); w.Code != 403 || sessionCookie(w) != nil {
			t.Fatalf("cross-site POST: got %d, cookie %v; want 403 and none", w.Code, sessionCookie(w))
		}
		w := f.do(t, request{method: "POST", path: path, form: map[string][]string{}, header: origin})
		c := sessionCookie(w)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" || c == nil {
			t.Fatalf("POST link: got %d to %q, cookie %v; want 303 to / with a session cookie", w.Code, w.Header().Get("Location"), c)
		}
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge < 11*3600 || c.MaxAge > 12*3600 {
			t.Errorf("got cookie %+v, want HttpOnly, Secure, SameSite=Lax, Path=/, about 12 hours", c)
		}
		if strings.Contains(c.Value, strings.TrimPrefix(path, "/signin/")) {
			t.Errorf("the session cookie holds the link's token")
		}

		signedIn := httptest.NewRequest("GET", "/", nil)
		signedIn.AddCookie(c)
		if who, ok := f.signin.Valid(signedIn); !ok || who != "slack:U0123" {
			t.Errorf("Valid with the cookie: got %q, %v; want slack:U0123", who, ok)
		}

		// Used: refused with a page that says how to get another.
		for _, method := range []string{"GET", "POST"} {
			w := f.do(t, request{method: method, path: path, form: map[string][]string{}, header: origin})
			if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "/survey dashboard") || sessionCookie(w) != nil {
				t.Errorf("%s used link: got %d, cookie %v\n%s\nwant 410 saying how to get a new link", method, w.Code, sessionCookie(w), w.Body)
			}
		}

		// Sign out ends the session on the server, not only in the browser.
		out := httptest.NewRequest("POST", "/signout", nil)
		out.Header.Set("Origin", publicURL)
		out.AddCookie(c)
		ow := httptest.NewRecorder()
		f.mux.ServeHTTP(ow, out)
		if ow.Code != http.StatusSeeOther || sessionCookie(ow) == nil || sessionCookie(ow).MaxAge >= 0 {
			t.Errorf("sign out: got %d, cookie %v; want 303 clearing the cookie", ow.Code, sessionCookie(ow))
		}
		if _, ok := f.signin.Valid(signedIn); ok {
			t.Errorf("Valid after sign-out: got true, want false")
		}
	})
}

func TestSignInRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newWebFixture(t, db)
		expired, _, err := f.signin.SignInLink(ctx, "cli", -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{strings.TrimPrefix(expired, publicURL), "/signin/forged-token"} {
			for _, method := range []string{"GET", "POST"} {
				w := f.do(t, request{method: method, path: path, form: map[string][]string{}, header: map[string]string{"Origin": publicURL}})
				if w.Code != http.StatusGone || sessionCookie(w) != nil || !strings.Contains(w.Body.String(), "vocbot dashboard link") {
					t.Errorf("%s %s: got %d, cookie %v; want 410 with how to get a link", method, path, w.Code, sessionCookie(w))
				}
			}
		}

		// No session, no data: a page guarded by Valid shows nothing
		// without a session, with a made-up one or with a link's token.
		valid, _, err := f.signin.SignInLink(ctx, "cli", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		guarded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := f.signin.Valid(r); !ok {
				http.Error(w, "how to get a link", http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte("NPS 42"))
		})
		for name, cookie := range map[string]string{
			"none": "", "made up": "c2Vzc2lvbg", "a link's token": strings.TrimPrefix(valid, publicURL+"/signin/"), "huge": strings.Repeat("x", 5000),
		} {
			r := httptest.NewRequest("GET", "/", nil)
			if cookie != "" {
				r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
			}
			w := httptest.NewRecorder()
			guarded.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "NPS") {
				t.Errorf("cookie %s: got %d %q, want 401 and no data", name, w.Code, w.Body)
			}
		}
	})
}
