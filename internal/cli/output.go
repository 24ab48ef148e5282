package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sigaudit/sigaudit/report"
)

// options are the layout options of the human formats: --show, --wide, the
// terminal's width, and colour only on a terminal without NO_COLOR.
func (r *reportFlags) options(e *env, toTerminal bool) reportOptions {
	o := reportOptions{Show: r.show, Wide: r.wide, Plan: r.plan}
	if toTerminal {
		o.Width = e.width
		o.Color = e.getenv("NO_COLOR") == ""
	}
	return o
}

// layout are the options of policy and plan output on stdout.
func layout(e *env, wide bool) reportOptions {
	o := reportOptions{Wide: wide}
	if e.stdoutIsTerminal {
		o.Width = e.width
		o.Color = e.getenv("NO_COLOR") == ""
	}
	return o
}

// writeReports renders every output of a run in memory first, then writes
// the files atomically (a temporary file renamed into place), so an error
// leaves no half-written report behind.
func writeReports(e *env, r *reportFlags, rep *report.Report) error {
	r.stamp(e, rep)
	type rendered struct {
		flag, path string
		data       []byte
	}
	var files []rendered
	for _, o := range r.outputs() {
		var buf bytes.Buffer
		if err := renderReport(&buf, o.format, rep, r.options(e, false)); err != nil {
			return errRendering(o.flag, err)
		}
		files = append(files, rendered{o.flag, o.path, buf.Bytes()})
	}
	var stdout bytes.Buffer
	if r.output == "" {
		if err := renderReport(&stdout, r.format, rep, r.options(e, e.stdoutIsTerminal)); err != nil {
			return errWriting("report", err)
		}
	}
	// Every file is complete in a temporary file before any is renamed
	// into place.
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		t, err := writeTemp(f.path, f.data)
		if err != nil {
			cleanup()
			return errCreateOutput(f.flag, err)
		}
		temps = append(temps, t)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.path); err != nil {
			cleanup()
			return errWriting(f.flag, err)
		}
	}
	if p := e.getenv("GITHUB_STEP_SUMMARY"); p != "" {
		if err := appendStepSummary(p, rep); err != nil {
			warnf(e, "GITHUB_STEP_SUMMARY: %v", err)
		}
	}
	if _, err := e.stdout.Write(stdout.Bytes()); err != nil {
		return errWriting("report", err)
	}
	return nil
}

// writeTemp writes data to a new temporary file in path's directory and
// returns its name; renaming it to path makes the write atomic.
func writeTemp(path string, data []byte) (string, error) {
	return writeTempWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeTempWith is writeTemp with the content written by write.
func writeTempWith(path string, write func(io.Writer) error) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// maxStepSummary is what sigaudit appends to a GitHub step summary at most
// (GitHub's limit for one step is 1 MiB).
const maxStepSummary = 64 << 10

// appendStepSummary appends the grouped summary of rep to the file
// GITHUB_STEP_SUMMARY names.
func appendStepSummary(path string, rep *report.Report) error {
	b := stepSummary(rep)
	if len(b) > maxStepSummary {
		return fmt.Errorf("summary of %d bytes is over %d", len(b), maxStepSummary)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
