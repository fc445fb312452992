package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// File is a file uploaded with Slack's external upload sequence
// (files.getUploadURLExternal, a POST of the bytes to the upload URL,
// files.completeUploadExternal), the only upload API Slack still has.
type File struct {
	ID, Name, Title string
	Length          int    // as announced in getUploadURLExternal
	Data            []byte // as uploaded; nil until the upload arrived
	Channel         string // shared into; "" until completed
	ThreadTS        string
	Completed       bool
}

// Files returns the uploaded files in upload order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Data = append([]byte(nil), f.Data...)
		out = append(out, f)
	}
	return out
}

// getUploadURL reserves a file and tells where to POST its bytes; the URL
// is under the API URL, as slack-go only sends the token there.
func (s *Server) getUploadURL(p url.Values) (answer, *apiError) {
	name := p.Get("filename")
	n, err := strconv.Atoi(p.Get("length"))
	if name == "" || err != nil || n <= 0 {
		return nil, &apiError{code: "invalid_arguments"}
	}
	if s.files == nil {
		s.files = map[string]*File{}
	}
	id := fmt.Sprintf("F%07d", len(s.fileOrder)+1)
	s.files[id] = &File{ID: id, Name: name, Length: n}
	s.fileOrder = append(s.fileOrder, id)
	return answer{"upload_url": s.URL + "upload/" + id, "file_id": id}, nil
}

// upload receives the bytes of a reserved file (multipart field "file").
func (s *Server) upload(w http.ResponseWriter, r *http.Request, id string) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, "bad upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	part, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file part", http.StatusBadRequest)
		return
	}
	defer part.Close()
	data, err := io.ReadAll(part)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	switch {
	case !ok:
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	case len(data) != f.Length:
		http.Error(w, fmt.Sprintf("got %d bytes, announced %d", len(data), f.Length), http.StatusBadRequest)
		return
	}
	f.Data = data
	s.notify()
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

// completeUpload shares uploaded files into a channel (or a thread).
func (s *Server) completeUpload(p url.Values) (answer, *apiError) {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, &apiError{code: "invalid_arguments"}
	}
	channel := p.Get("channel_id")
	if channel != "" {
		if _, aerr := s.postable(channel); aerr != nil {
			return nil, aerr
		}
	}
	var out []answer
	for _, ref := range files {
		f, ok := s.files[ref.ID]
		if !ok {
			return nil, &apiError{code: "file_not_found"}
		}
		if f.Data == nil {
			return nil, &apiError{code: "file_upload_not_complete"}
		}
		f.Title, f.Channel, f.ThreadTS, f.Completed = ref.Title, channel, p.Get("thread_ts"), true
		out = append(out, answer{"id": f.ID, "title": f.Title})
	}
	s.notify()
	return answer{"files": out}, nil
}

// WaitFile waits for an uploaded file that matches pred.
func (s *Server) WaitFile(ctx context.Context, pred func(File) bool) (File, error) {
	for {
		for _, f := range s.Files() {
			if pred(f) {
				return f, nil
			}
		}
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return File{}, fmt.Errorf("slacktest: no matching file: %w", ctx.Err())
		}
	}
}
