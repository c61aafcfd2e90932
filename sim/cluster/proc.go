package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one process of the cluster, started again after a kill with
// the same command.
type proc struct {
	kind    Kind
	index   int
	name    string
	path    string
	args    []string
	env     []string
	cred    *syscall.Credential // run as another user (PostgreSQL under root)
	logPath string
	healthy func(ctx context.Context) error

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the running command has exited
}

// start starts the process, its output appended to its log.
func (p *proc) start() error {
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.cred}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	return nil
}

// kill sends SIGKILL to the process (the process alone: PostgreSQL's
// backends notice their postmaster is gone and leave, as they would in a
// crash) and waits for it to exit.
func (p *proc) kill() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("%s is not running", p.name)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-done:
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s did not exit after SIGKILL", p.name)
	}
}

// stop sends sig to the process's group, then SIGKILL after grace.
func (p *proc) stop(sig syscall.Signal, grace time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
	select {
	case <-done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	return nil
}

// postgres returns the PostgreSQL server, initialising its data directory
// (trust authentication on the loopback only) the first time. Under root
// it runs as the postgres user, which PostgreSQL requires.
func (c *Cluster) postgres(ctx context.Context) (*proc, error) {
	data, sock := filepath.Join(c.cfg.Dir, "pgdata"), filepath.Join(c.cfg.Dir, "pgsocket")
	cred, uid, gid, err := postgresUser()
	if err != nil {
		return nil, err
	}
	p := &proc{kind: Postgres, name: "postgres", path: filepath.Join(c.cfg.PGBin, "postgres"), cred: cred,
		args:    []string{"-D", data, "-p", strconv.Itoa(c.pgPort), "-c", "listen_addresses=127.0.0.1", "-k", sock},
		logPath: c.logPath("postgres")}
	p.healthy = func(ctx context.Context) error {
		return exec.CommandContext(ctx, filepath.Join(c.cfg.PGBin, "pg_isready"), "-q", "-h", "127.0.0.1",
			"-p", strconv.Itoa(c.pgPort)).Run()
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return p, nil
	}
	for _, d := range []string{data, sock} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return nil, err
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(c.cfg.PGBin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	return p, nil
}

// postgresUser returns the credential PostgreSQL runs under: the postgres
// user under root, the caller otherwise.
func postgresUser() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, os.Geteuid(), os.Getegid(), nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("PostgreSQL does not run as root, and there is no postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

// createDatabase creates the aftercare role and database once.
func (c *Cluster) createDatabase(ctx context.Context) error {
	psql := func(sql string) (string, error) {
		out, err := exec.CommandContext(ctx, filepath.Join(c.cfg.PGBin, "psql"), "-h", "127.0.0.1", "-p", strconv.Itoa(c.pgPort),
			"-U", "postgres", "-d", "postgres", "-tAc", sql).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	exists, err := psql(`SELECT 1 FROM pg_database WHERE datname = 'aftercare'`)
	if err != nil {
		return fmt.Errorf("psql: %w: %s", err, exists)
	}
	if exists == "1" {
		return nil
	}
	for _, sql := range []string{`CREATE ROLE aftercare LOGIN PASSWORD 'aftercare'`, `CREATE DATABASE aftercare OWNER aftercare`} {
		if out, err := psql(sql); err != nil {
			return fmt.Errorf("%s: %w: %s", sql, err, out)
		}
	}
	return nil
}

// temporal returns the Temporal dev server, its state in a file of the
// cluster's so that timers survive its restarts, with the search
// attributes of the configuration.
func (c *Cluster) temporal() *proc {
	addr := c.TemporalAddress()
	p := &proc{kind: Temporal, name: "temporal", path: c.cfg.TemporalCLI, logPath: c.logPath("temporal"),
		args: []string{"server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", strconv.Itoa(c.tmpPort),
			"--db-filename", filepath.Join(c.cfg.Dir, "temporal.db"), "--log-level", "error"}}
	for _, sa := range c.cfg.SearchAttributes {
		p.args = append(p.args, "--search-attribute", sa)
	}
	p.healthy = func(ctx context.Context) error {
		return exec.CommandContext(ctx, c.cfg.TemporalCLI, "operator", "cluster", "health", "--address", addr).Run()
	}
	return p
}

// api returns an API replica; it serves once /readyz answers 200.
func (c *Cluster) api(i, port int, env []string) *proc {
	name := fmt.Sprintf("api-%d", i)
	p := &proc{kind: API, index: i, name: name, path: c.cfg.Binary, args: []string{"api"}, logPath: c.logPath(name),
		env: slices.Concat(env, []string{fmt.Sprintf("AFTERCARE_HTTP_ADDR=127.0.0.1:%d", port)})}
	p.healthy = func(ctx context.Context) error {
		return httpReady(ctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
	}
	return p
}

// worker returns a worker; it serves once Temporal lists a poller of
// the task queue with the worker's process ID in its identity.
func (c *Cluster) worker(i int, env []string) *proc {
	name := fmt.Sprintf("worker-%d", i)
	p := &proc{kind: Worker, index: i, name: name, path: c.cfg.Binary, args: []string{"worker"}, logPath: c.logPath(name), env: env}
	p.healthy = func(ctx context.Context) error {
		p.mu.Lock()
		pid := p.cmd.Process.Pid
		p.mu.Unlock()
		out, err := exec.CommandContext(ctx, c.cfg.TemporalCLI, "task-queue", "describe", "--address", c.TemporalAddress(),
			"--task-queue", TaskQueue).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
		if !strings.Contains(string(out), strconv.Itoa(pid)+"@") {
			return fmt.Errorf("no poller of process %d yet", pid)
		}
		return nil
	}
	return p
}

// findPGBin returns dir, or the bin directory of the newest PostgreSQL
// under /usr/lib/postgresql.
func findPGBin(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server programs under /usr/lib/postgresql (scripts/postgres.sh installs them)")
}

// freePorts returns n ports free on the loopback interface now.
func freePorts(n int) ([]int, error) {
	var out []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// httpReady returns nil once url answers 200.
func httpReady(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}
