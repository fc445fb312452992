package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

func FuzzCustomID(f *testing.F) {
	key := []byte("k")
	for _, args := range [][2]string{{"s1", "9"}, {"w123456789012345678", "+write"}, {strings.Repeat("r", 24), "1234567890123456"}, {"a12", "claim"}} {
		id, err := packCustomID(key, binding{channel: "1", user: "2"}, args[0], args[1])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(id, "1", "2")
		anyone, _ := packCustomID(key, binding{channel: "1"}, args[0], args[1])
		f.Add(anyone, "1", "7")
	}
	f.Add("a|b|c", "1", "1")
	f.Add("||", "", "")
	f.Fuzz(func(t *testing.T, id, channel, user string) {
		ref, value, _, err := customIDs.Parse(id)
		if err != nil {
			return
		}
		if len(id) > customIDs.MaxLen || !surveys.ValidPart(ref, surveys.MaxButtonRef) || !surveys.ValidPart(value, customIDs.MaxValue) {
			t.Fatalf("parsed %q into %q, %q", id, ref, value)
		}
		ref, value, err = customIDs.Verify(key, channel, user, id)
		if err != nil {
			return
		}
		// Only custom_ids vocbot made verify.
		mine, _ := packCustomID(key, binding{channel: channel, user: user}, ref, value)
		anyone, _ := packCustomID(key, binding{channel: channel}, ref, value)
		if id != mine && id != anyone {
			t.Fatalf("verified %q for channel %q user %q, which vocbot did not make", id, channel, user)
		}
	})
}

// quietInbox accepts everything at once.
type quietInbox struct{ got []surveys.Incoming }

func (q *quietInbox) Handle(_ context.Context, in surveys.Incoming) error {
	q.got = append(q.got, in)
	return nil
}

func (q *quietInbox) Command(context.Context, surveys.CommandRequest) (surveys.CommandReply, error) {
	return surveys.CommandReply{Text: "ok"}, nil
}

func FuzzInteraction(f *testing.F) {
	key := []byte("k")
	press, _ := packCustomID(key, binding{channel: "10", user: "20"}, "s5", "9")
	write, _ := packCustomID(key, binding{channel: "10", user: "20"}, "w5", valueWrite)
	text, _ := packCustomID(key, binding{channel: "10", user: "20"}, "w5", valueText)
	for _, seed := range []string{
		`{"type":1,"id":"1","token":"t"}`,
		`{"type":3,"id":"1","token":"t","channel_id":"10","user":{"id":"20"},"locale":"he","message":{"id":"30","channel_id":"10","content":"q"},"data":{"custom_id":"` + press + `","component_type":2}}`,
		`{"type":3,"id":"1","token":"t","channel_id":"10","user":{"id":"20"},"message":{"id":"30","content":"Why?"},"data":{"custom_id":"` + write + `","component_type":2}}`,
		`{"type":5,"id":"1","token":"t","channel_id":"10","user":{"id":"20"},"message":{"id":"30","content":"Why?"},"data":{"custom_id":"` + text + `","components":[{"type":1,"components":[{"type":4,"custom_id":"text","value":"late"}]}]}}`,
		`{"type":2,"id":"1","token":"t","channel_id":"10","member":{"user":{"id":"20"},"roles":["1"]},"data":{"name":"survey","options":[{"name":"stats","type":1,"options":[{"name":"survey","type":3,"value":"nps"},{"name":"window","type":4,"value":7}]}]}}`,
		`{"type":2,"id":"1","token":"t","channel_id":"10","user":{"id":"20"},"data":{"name":"language","options":[{"name":"language","type":3,"value":"he"}]}}`,
		`{"type":4,"id":"1","token":"t","data":{}}`,
		`{"type":5,"id":"1","token":"t","channel_id":"10","user":{"id":"20"},"data":{"custom_id":"x","components":[{"type":99}]}}`,
	} {
		f.Add([]byte(seed))
	}
	bot := &Bot{key: key, log: slog.New(slog.DiscardHandler), now: time.Now, patience: 5 * time.Second}
	answered := make(chan struct{})
	close(answered)
	f.Fuzz(func(t *testing.T, raw []byte) {
		it, err := decodeInteraction(raw)
		if err != nil {
			return
		}
		in := &quietInbox{}
		resp := bot.interact(context.Background(), in, it, answered)
		if resp != nil {
			if _, err := json.Marshal(resp); err != nil {
				t.Fatalf("unencodable answer to %s: %v", raw, err)
			}
		}
		for _, got := range in.got {
			if got.ID != "discord:"+it.ID || got.From.Platform != surveys.Discord || got.From.ChatID == "" || got.From.UserID == "" {
				t.Fatalf("decoded %+v from %s", got, raw)
			}
			if got.Value == "" && got.Ref == "" {
				continue // typed text or a command
			}
			id, err := packCustomID(key, binding{channel: got.From.ChatID, user: got.From.UserID}, got.Ref, got.Value)
			if err != nil {
				t.Fatalf("accepted a press that cannot be packed: %+v", got)
			}
			if _, _, err := customIDs.Verify(key, got.From.ChatID, got.From.UserID, id); err != nil {
				t.Fatalf("accepted a press that does not verify: %+v", got)
			}
		}
	})
}
