package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotEnv regenerates docs/img/dashboard.png from the demo's data:
// VOCBOT_UPDATE_SCREENSHOT=1 go test ./cmd/vocbot -run TestDashboardScreenshot
const screenshotEnv = "VOCBOT_UPDATE_SCREENSHOT"

// screenshotPath is the README's and docs/dashboard.md's picture of the dashboard.
var screenshotPath = filepath.Join("..", "..", "docs", "img", "dashboard.png")

// maxScreenshot keeps the repository small.
const maxScreenshot = 300 << 10

// TestDashboardScreenshot runs `vocbot demo --serve`, signs a headless
// Chromium in through the printed link, as a person would, and saves the
// dashboard as docs/img/dashboard.png. Without VOCBOT_UPDATE_SCREENSHOT it
// checks the committed picture is there, a PNG, and small.
func TestDashboardScreenshot(t *testing.T) {
	t.Parallel()
	if os.Getenv(screenshotEnv) == "" {
		png, err := os.ReadFile(screenshotPath)
		if err != nil || !strings.HasPrefix(string(png), "\x89PNG") || len(png) > maxScreenshot {
			t.Fatalf("%s: %v, %d bytes; want a PNG under %d KB (regenerate: %s=1 go test ./cmd/vocbot -run TestDashboardScreenshot)",
				screenshotPath, err, len(png), maxScreenshot>>10, screenshotEnv)
		}
		return
	}
	exe := ""
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Fatal("no Chromium at /usr/bin/chromium: install it (apt-get install -y chromium) to regenerate the screenshot")
	}
	addr, stdout, stop := serveDemo(t)
	m := regexp.MustCompile(`(?m)^   (http://` + regexp.QuoteMeta(addr) + `/signin/\S+)$`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no sign-in link in the tour:\n%s", stdout.String())
	}

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("hide-scrollbars", true))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1100, 1500),
		chromedp.Navigate(m[1]),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS(".headline")),
	); err != nil {
		t.Fatalf("sign in to the dashboard: %v", err)
	}
	png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if len(png) > maxScreenshot {
		t.Fatalf("the screenshot is %d KB, want under %d KB: make the viewport smaller", len(png)>>10, maxScreenshot>>10)
	}
	if err := os.MkdirAll(filepath.Dir(screenshotPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(screenshotPath, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d KB)", screenshotPath, len(png)>>10)
	if err := stop(); err != nil {
		t.Error(err)
	}
}
