package telegramtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// pngHeader is the start of a PNG of any size: signature and IHDR, which is
// all an image.Config needs. It lets tests claim sizes without the pixels.
func pngHeader(w, h int) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func realPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func photoOf(chat int64, data []byte) tgbotapi.PhotoConfig {
	return tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: "chart.png", Bytes: data})
}

func TestSendPhotoUpload(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	s.AddUser(42, "en")
	first, err := api.Send(tgbotapi.NewMessage(42, "digest"))
	if err != nil {
		t.Fatal(err)
	}
	data := realPNG(t, 640, 320)
	photo := photoOf(42, data)
	photo.Caption = "<b>NPS</b> · 28 days"
	photo.ParseMode = tgbotapi.ModeHTML
	photo.ReplyToMessageID = first.MessageID
	got, err := api.Send(photo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Photo) != 1 || got.Photo[0].Width != 640 || got.Photo[0].Height != 320 || got.Caption != "NPS · 28 days" ||
		got.ReplyToMessage == nil || got.ReplyToMessage.MessageID != first.MessageID {
		t.Fatalf("sendPhoto result %+v", got)
	}
	sent := s.Sent(42)
	if len(sent) != 2 {
		t.Fatalf("%d messages in the chat, want the text and the photo", len(sent))
	}
	p := sent[1]
	if p.Photo == nil || !bytes.Equal(p.Photo.Data, data) || p.Text != "NPS · 28 days" || p.ReplyTo != first.MessageID {
		t.Fatalf("photo message %+v", p)
	}

	// The file_id of a sent photo can be sent again without uploading.
	again, err := api.Send(tgbotapi.NewPhoto(42, tgbotapi.FileID(got.Photo[0].FileID)))
	if err != nil || len(again.Photo) != 1 || again.Photo[0].FileID != got.Photo[0].FileID {
		t.Fatalf("resend by file_id: %+v, %v", again, err)
	}

	// A photo has a caption, not a text.
	_, err = api.Request(tgbotapi.NewEditMessageText(42, p.ID, "new"))
	if code, desc := apiCode(err); code != 400 || !strings.Contains(desc, "there is no text in the message to edit") {
		t.Errorf("editMessageText on a photo = %d %q", code, desc)
	}
}

func TestSendPhotoLimits(t *testing.T) {
	t.Parallel()
	s, api := newAPI(t)
	s.SetLimits(Limits{}) // one photo after another to one chat: no flood limits
	s.AddUser(42, "en")
	s.AddUser(43, "en")
	s.Block(43)
	with := func(data []byte, f func(*tgbotapi.PhotoConfig)) tgbotapi.PhotoConfig {
		p := photoOf(42, data)
		if f != nil {
			f(&p)
		}
		return p
	}
	tooBig := append(pngHeader(100, 100), make([]byte, 10<<20)...)
	for _, tc := range []struct {
		name string
		c    tgbotapi.PhotoConfig
		code int
		desc string // "" means accepted
	}{
		{"small PNG", with(realPNG(t, 10, 10), nil), 0, ""},
		{"exactly 20:1", with(pngHeader(2000, 100), nil), 0, ""},
		{"sides sum to 10000", with(pngHeader(9500, 500), nil), 0, ""},
		{"JPEG header", with([]byte("\xff\xd8\xff"), nil), 400, "IMAGE_PROCESS_FAILED"},
		{"over 10 MB", with(tooBig, nil), 400, "PHOTO_SAVE_FILE_INVALID"},
		{"sides over 10000", with(pngHeader(9501, 500), nil), 400, "PHOTO_INVALID_DIMENSIONS"},
		{"wider than 20:1", with(pngHeader(2001, 100), nil), 400, "PHOTO_INVALID_DIMENSIONS"},
		{"taller than 20:1", with(pngHeader(100, 2001), nil), 400, "PHOTO_INVALID_DIMENSIONS"},
		{"not an image", with([]byte("GIF89a"), nil), 400, "IMAGE_PROCESS_FAILED"},
		{"caption of 1024", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.Caption = strings.Repeat("я", 1024) }), 0, ""},
		{"caption over 1024", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.Caption = strings.Repeat("я", 1025) }), 400, "message caption is too long"},
		{"1024 after parsing", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) {
			p.Caption, p.ParseMode = "<b>"+strings.Repeat("x", 1024)+"</b>", tgbotapi.ModeHTML
		}), 0, ""},
		{"bad HTML caption", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.Caption, p.ParseMode = "<b>x", tgbotapi.ModeHTML }), 400, "can't parse entities"},
		{"unknown parse_mode", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.Caption, p.ParseMode = "x", "Markdown3" }), 400, "parse_mode"},
		{"unknown chat", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.ChatID = 7 }), 400, "chat not found"},
		{"blocked", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.ChatID = 43 }), 403, "bot was blocked by the user"},
		{"reply to nothing", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) { p.ReplyToMessageID = 999 }), 400, "message to be replied not found"},
		{"reply to nothing allowed", with(realPNG(t, 4, 4), func(p *tgbotapi.PhotoConfig) {
			p.ReplyToMessageID, p.AllowSendingWithoutReply = 999, true
		}), 0, ""},
		{"unknown file_id", tgbotapi.NewPhoto(42, tgbotapi.FileID("AgACAgIAAxkBAAI")), 400, "wrong file identifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := api.Request(tc.c)
			_, desc := apiCode(err)
			code := 0
			if resp != nil {
				// The SDK's upload path leaves Error.Code empty; the answer has it.
				code = resp.ErrorCode
			}
			if tc.desc == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if code != tc.code || !strings.Contains(desc, tc.desc) {
				t.Errorf("got %d %q (%v), want %d %q", code, desc, err, tc.code, tc.desc)
			}
		})
	}
}

// Uploads must be multipart/form-data: the bytes in a form or JSON value
// are not a file, and a request without a photo is refused.
func TestSendPhotoNeedsMultipart(t *testing.T) {
	t.Parallel()
	s, _ := newAPI(t)
	s.AddUser(42, "en")
	endpoint := strings.Replace(strings.Replace(s.APIURL(), "%s", s.Token(), 1), "%s", "sendPhoto", 1)
	data := string(realPNG(t, 4, 4))
	jsonBody, _ := json.Marshal(map[string]any{"chat_id": 42, "photo": "https://example.com/chart.png"})
	for _, tc := range []struct {
		name, contentType, body, desc string
	}{
		{"bytes in a form", "application/x-www-form-urlencoded", url.Values{"chat_id": {"42"}, "photo": {data}}.Encode(), "wrong file identifier"},
		{"no photo", "application/x-www-form-urlencoded", url.Values{"chat_id": {"42"}}.Encode(), "there is no photo in the request"},
		{"a URL", "application/json", string(jsonBody), "photo URLs are not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(endpoint, tc.contentType, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				OK          bool   `json:"ok"`
				Description string `json:"description"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 400 || got.OK || !strings.Contains(got.Description, tc.desc) {
				t.Errorf("got %d %+v, want 400 %q", resp.StatusCode, got, tc.desc)
			}
		})
	}
	if n := len(s.Sent(42)); n != 0 {
		t.Errorf("%d messages sent, want none", n)
	}
}
