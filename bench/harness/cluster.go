package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"
)

// Cluster is several vocbot replicas on one database behind a Balancer,
// as a load balancer in front of a deployment would spread them.
type Cluster struct {
	Replicas []*Vocbot
	LB       *Balancer
}

// StartCluster starts n replicas with env. The balancer listens first so
// VOCBOT_PUBLIC_URL can point at it (webhook registration).
func StartCluster(ctx context.Context, n int, dir, bin string, env map[string]string, token string) (*Cluster, error) {
	lb, err := NewBalancer()
	if err != nil {
		return nil, err
	}
	env = cloneEnv(env)
	env["VOCBOT_PUBLIC_URL"] = lb.URL
	c := &Cluster{LB: lb}
	for i := range n {
		v, err := StartVocbot(ctx, fmt.Sprintf("replica-%d", i+1), dir, bin, env, token)
		if v != nil && v.Process != nil {
			c.Replicas = append(c.Replicas, v)
			lb.Add(v.URL)
		}
		if err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// WaitReady waits for every replica's /readyz.
func (c *Cluster) WaitReady(ctx context.Context, timeout time.Duration) error {
	for _, v := range c.Replicas {
		if err := v.WaitReady(ctx, timeout); err != nil {
			return err
		}
	}
	return nil
}

// Clients are API clients for every replica.
func (c *Cluster) Clients() []*Client {
	out := make([]*Client, len(c.Replicas))
	for i, v := range c.Replicas {
		out[i] = v.API
	}
	return out
}

// Stop stops every running replica (SIGTERM) and the balancer; replicas
// killed before are not reported again.
func (c *Cluster) Stop() error {
	var errs []error
	for _, v := range c.Replicas {
		if !v.Exited() {
			errs = append(errs, v.Stop(15*time.Second))
		}
	}
	c.LB.Close()
	return errors.Join(errs...)
}

// LogPaths are the replicas' log files.
func (c *Cluster) LogPaths() []string {
	out := make([]string, len(c.Replicas))
	for i, v := range c.Replicas {
		out[i] = v.LogPath
	}
	return out
}

// Balancer is a round-robin reverse proxy over backends.
type Balancer struct {
	URL      string
	srv      *http.Server
	backends atomic.Pointer[[]*httputil.ReverseProxy]
	next     atomic.Uint64
}

// NewBalancer listens on a free loopback port.
func NewBalancer() (*Balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &Balancer{URL: "http://" + ln.Addr().String()}
	empty := []*httputil.ReverseProxy{}
	b.backends.Store(&empty)
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// Add adds a backend base URL.
func (b *Balancer) Add(base string) {
	u, err := url.Parse(base)
	if err != nil {
		return
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		http.Error(w, "balancer: backend unreachable", http.StatusBadGateway)
	}
	old := *b.backends.Load()
	next := append(append([]*httputil.ReverseProxy(nil), old...), p)
	b.backends.Store(&next)
}

func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bs := *b.backends.Load()
	if len(bs) == 0 {
		http.Error(w, "balancer: no backends", http.StatusServiceUnavailable)
		return
	}
	bs[int(b.next.Add(1)-1)%len(bs)].ServeHTTP(w, r)
}

// Close stops the balancer.
func (b *Balancer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}
