package surveys

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestScrub(t *testing.T) {
	t.Parallel()
	const token = "123456:AAbbCCdd-secret"
	cause := errors.New("Post \"https://api.example/bot123456:AAbbCCdd-secret/sendMessage\": EOF (123456%3AAAbbCCdd-secret)")
	err := Scrub(&SendError{Kind: RateLimited, RetryAfter: 3 * time.Second, Err: cause}, token, "", "short")
	if s := fmt.Sprintf("%v %+v", err, err); strings.Contains(s, "AAbbCCdd") {
		t.Errorf("scrubbed error still has the token: %s", s)
	}
	if kind, after := FailureOf(err); kind != RateLimited || after != 3*time.Second {
		t.Errorf("got %v after %s, want RateLimited after 3s", kind, after)
	}
	if !errors.Is(err, cause) {
		t.Error("the scrubbed error lost its cause for errors.Is")
	}
	plain := errors.New("nothing secret here")
	if got := Scrub(plain, token); got != plain {
		t.Errorf("an error without secrets was rewrapped: %v", got)
	}
	if got := ScrubText("a short word", "short"); got != "a short word" {
		t.Errorf("secrets under %d bytes must be ignored, got %q", minSecretLen, got)
	}
	if Scrub(nil, token) != nil {
		t.Error("Scrub(nil) is not nil")
	}
}
