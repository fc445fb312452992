package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/surveys"
)

// recorder is a surveys.Handler that hands every Incoming to the test.
type recorder struct {
	got  chan surveys.Incoming
	fail error
	// release, if set, blocks Handle until it is closed.
	release chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan surveys.Incoming, 16)} }

func (r *recorder) Handle(_ context.Context, in surveys.Incoming) error {
	r.got <- in
	if r.release != nil {
		<-r.release
	}
	return r.fail
}

func (r *recorder) next(t *testing.T) surveys.Incoming {
	t.Helper()
	return <-r.got
}

// poll runs bot.Poll until the test ends.
func poll(t *testing.T, bot *Bot, h surveys.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Poll(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Poll returned %v, want nil after cancel", err)
		}
	})
}

func waitAnswer(t *testing.T, fake *telegramtest.Server, query string) string {
	t.Helper()
	text, err := fake.WaitAnswer(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func sendPrompt(t *testing.T, fake *telegramtest.Server, bot *Bot, chat int64, p surveys.Prompt) int {
	t.Helper()
	ref, err := bot.Send(context.Background(), to(strconv.FormatInt(chat, 10)), p)
	if err != nil {
		t.Fatal(err)
	}
	_, id, err := parseMessageRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPollEndToEnd(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "he")
	fake.AddUser(43, "ru")
	rec := newRecorder()
	poll(t, bot, rec)
	from42 := surveys.Address{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}

	id := fake.Command(42, "start", "tok_ABC")
	if diff := cmp.Diff(surveys.Incoming{ID: "tg:" + strconv.Itoa(id), From: from42, Text: "/start tok_ABC", Locale: "he"}, rec.next(t)); diff != "" {
		t.Errorf("/start (-want +got):\n%s", diff)
	}
	id = fake.SendText(42, "٩ – great")
	if got := rec.next(t); got.ID != "tg:"+strconv.Itoa(id) || got.Text != "٩ – great" {
		t.Errorf("text: got %+v", got)
	}

	msg := sendPrompt(t, fake, bot, 42, prompt("he", surveys.NPS, "s42"))
	query, err := fake.PressButton(42, msg, "9")
	if err != nil {
		t.Fatal(err)
	}
	got := rec.next(t)
	// The press carries the message it came from, so the Engine can edit it.
	if diff := cmp.Diff(surveys.Incoming{ID: got.ID, From: from42, Value: "9", Ref: "s42", Locale: "he", Message: messageRef(42, msg)}, got); diff != "" || !strings.HasPrefix(got.ID, "tg:") {
		t.Errorf("button press (-want +got):\n%s", diff)
	}
	if text := waitAnswer(t, fake, query); text != ackOK {
		t.Errorf("answer: got %q, want %q", text, ackOK)
	}

	// Forgeries are answered and never reach the handler: the next thing the
	// handler sees is the text sent after them.
	valid := fake.Sent(42)[0].Keyboard[0][0].Data // "s42|0|…", made for chat 42
	msg43 := sendPrompt(t, fake, bot, 43, prompt("ru", surveys.NPS, "s43"))
	ref, value, _, err := callbacks.Parse(valid)
	if err != nil {
		t.Fatal(err)
	}
	forged := []struct {
		chat int64
		msg  int
		data string
	}{
		{42, msg, "s42|10|" + valid[len(valid)-macText:]}, // another value, same mac
		{42, msg, "s99|0|" + valid[len(valid)-macText:]},  // another invitation
		{43, msg43, valid}, // replayed in another chat
		{42, msg, ref + "|" + value + "|" + strings.Repeat("A", macText)}, // made-up mac
		{42, msg, "garbage"},
		{42, msg, ""},
	}
	for _, f := range forged {
		q, err := fake.PressData(f.chat, f.msg, f.data)
		if err != nil {
			t.Fatal(err)
		}
		if text := waitAnswer(t, fake, q); text != ackFailed {
			t.Errorf("forged %q in chat %d: answer %q, want %q", f.data, f.chat, text, ackFailed)
		}
	}
	// A NUL (a self-hosted Bot API or a forged webhook might send one) is
	// cleaned before the Engine sees it.
	fake.SendText(43, "sl\x00ow courier")
	if got := rec.next(t); got.Text != "slow courier" {
		t.Errorf("text with NUL: got %q, want it cleaned", got.Text)
	}
	fake.SendText(43, "after the forgeries")
	if got := rec.next(t); got.Text != "after the forgeries" || got.Locale != "ru" {
		t.Errorf("after forgeries the handler got %+v, want the text from chat 43", got)
	}

	// Commands for another bot are not ours; ours lose the @name.
	fake.SendText(42, "/help@some_other_bot")
	fake.SendText(42, "/help@"+telegramtest.BotUsername)
	if got := rec.next(t); got.Text != "/help" {
		t.Errorf("got %+v, want /help", got)
	}
	if fake.Calls("deleteWebhook") == 0 {
		t.Error("Poll did not delete the webhook first")
	}
}

// Poll survives failures and always sends allowed_updates: Telegram
// remembers the last list, and one without callback_query would silently
// drop every button press (#753).
func TestPollRecoversAndResetsAllowedUpdates(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	bot.backoff = time.Millisecond
	fake.AddUser(42, "en")
	sticky := strings.Replace(strings.Replace(fake.APIURL(), "%s", fake.Token(), 1), "%s", "getUpdates", 1) + `?allowed_updates=["message"]`
	resp, err := http.Get(sticky)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	fake.Inject("deleteWebhook", telegramtest.Fault{Code: 502, Description: "Bad Gateway"})
	fake.Inject("getUpdates", telegramtest.Fault{})
	rec := newRecorder()
	poll(t, bot, rec)
	msg := sendPrompt(t, fake, bot, 42, npsPrompt)
	if _, err := fake.PressButton(42, msg, "10"); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t); got.Value != "10" {
		t.Errorf("got %+v, want the button press", got)
	}
}

func TestCallbackAnsweredWhenHandlerFails(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	rec := newRecorder()
	rec.fail = errors.New("database is down")
	poll(t, bot, rec)
	msg := sendPrompt(t, fake, bot, 42, npsPrompt)
	q, err := fake.PressButton(42, msg, "10")
	if err != nil {
		t.Fatal(err)
	}
	rec.next(t)
	if text := waitAnswer(t, fake, q); text != ackFailed {
		t.Errorf("answer: got %q, want %q", text, ackFailed)
	}
}

// A slow handler does not keep the customer's spinner going.
func TestCallbackAnsweredWhileHandlerRuns(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	bot.ackAfter = 0
	fake.AddUser(42, "en")
	rec := newRecorder()
	rec.release = make(chan struct{})
	poll(t, bot, rec)
	msg := sendPrompt(t, fake, bot, 42, npsPrompt)
	q, err := fake.PressButton(42, msg, "0")
	if err != nil {
		t.Fatal(err)
	}
	rec.next(t)
	waitAnswer(t, fake, q) // while Handle is still blocked
	close(rec.release)
}

// committer records the press, says so (surveys.Committed), then blocks
// in its follow-ups until released, and fails.
type committer struct{ release chan struct{} }

func (c committer) Handle(ctx context.Context, _ surveys.Incoming) error {
	surveys.Committed(ctx)
	<-c.release
	return errors.New("the follow-up failed")
}

// A press is answered ✓ once its handler has committed it, while the
// prompt edit and follow-up are still going out; what fails after the
// commit does not turn the answer into ⚠ (only one answer is sent).
func TestCallbackAnsweredAtCommit(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	h := committer{release: make(chan struct{})}
	poll(t, bot, h)
	msg := sendPrompt(t, fake, bot, 42, npsPrompt)
	q, err := fake.PressButton(42, msg, "10")
	if err != nil {
		t.Fatal(err)
	}
	if text := waitAnswer(t, fake, q); text != ackOK { // while Handle is still blocked
		t.Errorf("answer: got %q, want %q", text, ackOK)
	}
	close(h.release)
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "fa")
	rec := newRecorder()
	const secret = "s3cret_token-1"
	h := bot.WebhookHandler(rec, secret)
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	if err := bot.RegisterWebhook(context.Background(), srv.URL+"/", secret); err != nil {
		t.Fatal(err)
	}
	if url, got := fake.Webhook(); url != srv.URL+WebhookPath || got != secret {
		t.Fatalf("webhook %q with secret %q", url, got)
	}
	// getUpdates conflicts with a webhook, as on Telegram.
	resp, err := http.Get(strings.Replace(strings.Replace(fake.APIURL(), "%s", fake.Token(), 1), "%s", "getUpdates", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("getUpdates with a webhook: got %d, want 409", resp.StatusCode)
	}

	fake.SendText(42, "سلام")
	if got := rec.next(t); got.Text != "سلام" || got.Locale != "fa" || got.From.ChatID != "42" {
		t.Errorf("got %+v", got)
	}
	msg := sendPrompt(t, fake, bot, 42, prompt("fa", surveys.CSAT, "s5"))
	q, err := fake.PressButton(42, msg, "5")
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t); got.Value != "5" || got.Ref != "s5" {
		t.Errorf("got %+v", got)
	}
	if text := waitAnswer(t, fake, q); text != ackOK {
		t.Errorf("answer %q", text)
	}

	body := `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"text":"forged"}}`
	for _, tc := range []struct {
		name   string
		method string
		header string
		body   string
		want   int
	}{
		{"no secret", "POST", "", body, http.StatusUnauthorized},
		{"wrong secret", "POST", "s3cret_token-2", body, http.StatusUnauthorized},
		{"prefix of the secret", "POST", "s3cret", body, http.StatusUnauthorized},
		{"GET", "GET", secret, "", http.StatusMethodNotAllowed},
		{"not JSON", "POST", secret, "{", http.StatusBadRequest},
		{"over 1 MiB", "POST", secret, `{"update_id":1,"message":{"text":"` + strings.Repeat("a", 1<<20) + `"}}`, http.StatusRequestEntityTooLarge},
	} {
		r := httptest.NewRequest(tc.method, WebhookPath, strings.NewReader(tc.body))
		if tc.header != "" {
			r.Header.Set(secretHeader, tc.header)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	if len(rec.got) != 0 {
		t.Errorf("the handler was called for a refused request: %+v", <-rec.got)
	}
	if err := bot.RegisterWebhook(context.Background(), srv.URL, "bad secret!"); err == nil {
		t.Error("RegisterWebhook with a bad secret: no error")
	}
	if bot.WebhookHandler(rec, "") == nil {
		t.Fatal("nil handler")
	}
	w := httptest.NewRecorder()
	bot.WebhookHandler(rec, "").ServeHTTP(w, httptest.NewRequest("POST", WebhookPath, strings.NewReader(body)))
	if w.Code != http.StatusUnauthorized {
		t.Errorf("empty secret: got %d, want 401", w.Code)
	}
}

func TestWebhookHandlerFailureIsRetried(t *testing.T) {
	t.Parallel()
	_, bot := newFixture(t)
	rec := newRecorder()
	rec.fail = errors.New("database is down")
	r := httptest.NewRequest("POST", WebhookPath, strings.NewReader(`{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"x"},"text":"hi"}}`))
	r.Header.Set(secretHeader, "s")
	w := httptest.NewRecorder()
	bot.WebhookHandler(rec, "s").ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("got %d, want 500 so Telegram delivers again", w.Code)
	}
}

func TestNormalizeCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"/start", "/start", true},
		{"/start TOKEN", "/start TOKEN", true},
		{"/start@vocbot_test_bot TOKEN", "/start TOKEN", true},
		{"/start@VOCBOT_test_bot", "/start", true},
		{"/start@other_bot TOKEN", "", false},
		{"hello /start@other_bot", "hello /start@other_bot", true},
		{"/", "/", true},
	} {
		got, ok := normalizeCommand(tc.in, telegramtest.BotUsername)
		if got != tc.want || ok != tc.ok {
			t.Errorf("normalizeCommand(%q): got %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// fuzzBot decodes without a network.
func fuzzBot() *Bot {
	return &Bot{api: &tgbotapi.BotAPI{Self: tgbotapi.User{UserName: telegramtest.BotUsername}}, key: []byte("k")}
}

func FuzzDecode(f *testing.F) {
	key := []byte("k")
	data, err := callbacks.Pack(key, "42", "42", "s1", "9")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"language_code":"he"},"text":"/start@vocbot_test_bot abc","entities":[{"type":"bot_command","offset":0,"length":99}]}}`,
		`{"update_id":2,"callback_query":{"id":"q","from":{"id":42},"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"}},"data":"` + data + `"}}`,
		`{"update_id":3,"callback_query":{"id":"q","from":{"id":42},"inline_message_id":"x","data":"` + data + `"}}`,
		`{"update_id":4,"callback_query":{"id":"q","data":"x"}}`,
		`{"update_id":5,"edited_message":{"message_id":1,"text":"x"}}`,
		`{"update_id":6,"my_chat_member":{}}`,
		`{"update_id":8,"my_chat_member":{"chat":{"id":42,"type":"private"},"from":{"id":42},"date":1,"old_chat_member":{"status":"member"},"new_chat_member":{"status":"kicked"}}}`,
		`{"update_id":7,"message":{"text":"x"}}`,
	} {
		f.Add([]byte(seed))
	}
	bot := fuzzBot()
	f.Fuzz(func(t *testing.T, raw []byte) {
		var u tgbotapi.Update
		if json.Unmarshal(raw, &u) != nil {
			return
		}
		in, err := bot.decode(u)
		if err != nil {
			return
		}
		if in.ID != "tg:"+strconv.Itoa(u.UpdateID) || in.From.Platform != surveys.Telegram || in.From.ChatID == "" {
			t.Fatalf("decoded %+v from %s", in, raw)
		}
		if u.CallbackQuery != nil {
			if _, _, err := callbacks.Verify(key, in.From.ChatID, in.From.UserID, packMust(t, key, in)); err != nil {
				t.Fatalf("accepted a press that does not round-trip: %+v", in)
			}
		} else if in.Event != "" {
			if u.MyChatMember == nil || in.Text != "" || in.Value != "" || in.Ref != "" {
				t.Fatalf("chat event decoded to %+v", in)
			}
		} else if in.Text == "" || in.Value != "" || in.Ref != "" {
			t.Fatalf("message decoded to %+v", in)
		}
	})
}

func packMust(t *testing.T, key []byte, in surveys.Incoming) string {
	d, err := callbacks.Pack(key, in.From.ChatID, in.From.UserID, in.Ref, in.Value)
	if err != nil {
		t.Fatalf("accepted ref %q value %q that cannot be packed: %v", in.Ref, in.Value, err)
	}
	return d
}

func FuzzCallback(f *testing.F) {
	key := []byte("k")
	for _, args := range [][2]string{{"s1", "9"}, {"w123456789012345678", "10"}, {strings.Repeat("r", 24), "12345678"}} {
		d, err := callbacks.Pack(key, "42", "42", args[0], args[1])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d, "42", "42")
		g, _ := callbacks.Pack(key, "-100123", "", args[0], args[1])
		f.Add(g, "-100123", "7")
	}
	f.Add("a|b|c", "1", "1")
	f.Add("||", "", "")
	f.Fuzz(func(t *testing.T, data, chat, user string) {
		ref, value, _, err := callbacks.Parse(data)
		if err != nil {
			return
		}
		if len(data) > callbacks.MaxLen || !surveys.ValidPart(ref, surveys.MaxButtonRef) || !surveys.ValidPart(value, callbacks.MaxValue) {
			t.Fatalf("parsed %q into %q, %q", data, ref, value)
		}
		ref, value, err = callbacks.Verify(key, chat, user, data)
		if err != nil {
			return
		}
		// Only data vocbot made verifies.
		mine, _ := callbacks.Pack(key, chat, user, ref, value)
		anyone, _ := callbacks.Pack(key, chat, "", ref, value)
		if data != mine && data != anyone {
			t.Fatalf("verified %q for chat %q user %q, which vocbot did not make", data, chat, user)
		}
	})
}

// The caller's logger already says platform=telegram (vocbot serve adds
// it): the bot must not add it a second time.
func TestLogLinesNamePlatformOnce(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	fake.AddUser(42, "en")
	var buf syncBuf
	log := slog.New(slog.NewJSONHandler(&buf, nil)).With("platform", "telegram")
	bot, err := New(context.Background(), Config{Token: fake.Token(), APIURL: fake.APIURL(), CallbackSecret: []byte("s"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	poll(t, bot, newRecorder())
	msg := sendPrompt(t, fake, bot, 42, prompt("en", surveys.NPS, "s42"))
	q, err := fake.PressData(42, msg, "garbage")
	if err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, fake, q)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "button press refused") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	line := buf.String()
	if !strings.Contains(line, "button press refused") {
		t.Fatalf("no log line for a forged press: %q", line)
	}
	if n := strings.Count(line, `"platform"`); n != 1 {
		t.Errorf("platform appears %d times: %s", n, line)
	}
}

// syncBuf is a bytes.Buffer safe for the poller's goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// macText is the length of a button's MAC: 128 bits in unpadded base64url.
const macText = 22
