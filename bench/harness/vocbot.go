package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Vocbot is one `vocbot serve` process.
type Vocbot struct {
	*Process
	URL string // http://127.0.0.1:port
	API *Client

	name string
	bin  string
	dir  string
	env  map[string]string
	addr string
}

// StartVocbot runs `vocbot serve` with env on a free loopback port (unless
// env sets VOCBOT_HTTP_ADDR) and waits until it listens.
func StartVocbot(ctx context.Context, name, dir, bin string, env map[string]string, token string) (*Vocbot, error) {
	env = cloneEnv(env)
	if env["VOCBOT_HTTP_ADDR"] == "" {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		env["VOCBOT_HTTP_ADDR"] = addr
	}
	v := &Vocbot{name: name, bin: bin, dir: dir, env: env, addr: env["VOCBOT_HTTP_ADDR"]}
	v.URL = "http://" + v.addr
	v.API = NewClient(v.URL, token)
	return v, v.Restart(ctx)
}

// Restart starts the process again (after Kill or Stop) on the same address.
func (v *Vocbot) Restart(ctx context.Context) error {
	p, err := Start(v.name, v.dir, v.bin, []string{"serve"}, v.env)
	if err != nil {
		return err
	}
	v.Process = p
	return Eventually(ctx, 60*time.Second, 50*time.Millisecond, p.Name+" listening", func() bool {
		if p.Exited() {
			return true
		}
		code, _, err := v.API.Get(ctx, "/livez")
		return err == nil && code == http.StatusOK
	})
}

// WaitReady waits until /readyz answers 200.
func (v *Vocbot) WaitReady(ctx context.Context, timeout time.Duration) error {
	err := Eventually(ctx, timeout, 100*time.Millisecond, v.Name+" ready", func() bool {
		code, _, err := v.API.Get(ctx, "/readyz")
		return err == nil && code == http.StatusOK
	})
	if err != nil {
		return fmt.Errorf("%w; last log lines:\n%s", err, v.Tail(15))
	}
	return nil
}

func cloneEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// Client calls vocbot's HTTP API.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// NewClient returns a client for base with a bearer token. It keeps a
// connection per concurrent caller alive, as a sender's HTTP pool does:
// Go's default keeps two per host, so 16 callers opened a new TCP
// connection for most requests and measured that instead of vocbot.
func NewClient(base, token string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &Client{Base: base, Token: token, HTTP: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
}

// Do sends a request with the bearer token and returns status and body.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, header http.Header) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Get is Do without a body.
func (c *Client) Get(ctx context.Context, path string) (int, []byte, error) {
	return c.Do(ctx, http.MethodGet, path, nil, nil)
}

// Response is the part of a stored response the suites check.
type Response struct {
	ID           json.RawMessage `json:"id"`
	InvitationID json.RawMessage `json:"invitation_id"`
	CustomerID   string          `json:"customer_id"`
	Survey       string          `json:"survey"`
	Score        float64         `json:"score"`
	Comment      string          `json:"comment"`
	Platform     string          `json:"platform"`
}

// Responses reads every stored response through GET /v1/responses, all pages.
func (c *Client) Responses(ctx context.Context) ([]Response, error) {
	var all []Response
	cursor := ""
	for {
		q := url.Values{"limit": {"1000"}, "since": {"2000-01-01T00:00:00Z"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		code, body, err := c.Get(ctx, "/v1/responses?"+q.Encode())
		if err != nil {
			return nil, err
		}
		if code != http.StatusOK {
			return nil, fmt.Errorf("GET /v1/responses: %d %s", code, body)
		}
		var page struct {
			Responses  []Response `json:"responses"`
			NextCursor *string    `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("GET /v1/responses: %w", err)
		}
		all = append(all, page.Responses...)
		if page.NextCursor == nil || *page.NextCursor == "" {
			return all, nil
		}
		cursor = *page.NextCursor
	}
}

var metricLine = regexp.MustCompile(`^(\w+)(\{[^}]*\})? ([0-9.eE+-]+)$`)

// Metrics scrapes /metrics into "name{labels}" → value.
func (c *Client) Metrics(ctx context.Context) (map[string]float64, error) {
	code, body, err := c.Get(ctx, "/metrics")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d", code)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := metricLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err == nil {
			out[m[1]+m[2]] = v
		}
	}
	return out, sc.Err()
}

// Invitations counts invitations by status from the vocbot_invitations
// gauge (summed over skip reasons).
func (c *Client) Invitations(ctx context.Context) (map[string]int, error) {
	m, err := c.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	status := regexp.MustCompile(`status="([^"]*)"`)
	out := map[string]int{}
	for k, v := range m {
		if !strings.HasPrefix(k, "vocbot_invitations{") {
			continue
		}
		if s := status.FindStringSubmatch(k); s != nil {
			out[s[1]] += int(v)
		}
	}
	return out, nil
}
