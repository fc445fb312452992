package surveys

import (
	"errors"
	"strings"
	"testing"
)

func TestButtonDataDomainsDoNotCross(t *testing.T) {
	t.Parallel()
	key := []byte("one key for both")
	errA, errB := errors.New("a refused"), errors.New("b refused")
	a := ButtonData{Domain: "a-v1", MaxValue: 8, MaxLen: 64, Err: errA, Platform: "a"}
	b := ButtonData{Domain: "b-v1", MaxValue: 8, MaxLen: 64, Err: errB, Platform: "b"}
	data, err := a.Pack(key, "42", "7", "s1", "9")
	if err != nil {
		t.Fatal(err)
	}
	if ref, value, err := a.Verify(key, "42", "7", data); err != nil || ref != "s1" || value != "9" {
		t.Fatalf("own button: %q %q %v", ref, value, err)
	}
	if _, _, err := b.Verify(key, "42", "7", data); !errors.Is(err, errB) {
		t.Fatalf("a's button accepted by b: %v", err)
	}
	if _, _, err := a.Verify(key, "42", "8", data); !errors.Is(err, errA) {
		t.Fatalf("another user pressed a button bound to user 7: %v", err)
	}
	anyone, _ := a.Pack(key, "42", "", "s1", "9")
	if _, _, err := a.Verify(key, "42", "8", anyone); err != nil {
		t.Fatalf("a chat-wide button refused: %v", err)
	}
	if _, err := a.Pack(key, "42", "", "s|1", "9"); err == nil || !strings.HasPrefix(err.Error(), "a: prompt ref") {
		t.Fatalf("ref with separator: %v", err)
	}
	if _, err := a.Pack(key, "42", "", "s1", "123456789"); err == nil {
		t.Fatal("value over MaxValue accepted")
	}
	if _, _, err := (ButtonData{Domain: "a-v1", MaxValue: 8, MaxLen: 64}).Verify(key, "42", "7", data+"x"); !errors.Is(err, ErrBadButton) {
		t.Fatalf("no Err set: %v", err)
	}
}
