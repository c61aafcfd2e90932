package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aftercare/aftercare/authz"
	"github.com/aftercare/aftercare/postgres"
)

// runPassword sets the password a user signs in with, read from stdin.
func runPassword(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("password", stderr)
	var cfg Config
	cfg.bindFlags(fs)
	user := fs.String("user", "", "username whose password to set (the password is read from stdin)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" {
		fs.Usage()
		return fmt.Errorf("-user is required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := setPassword(ctx, db, *user, strings.TrimRight(line, "\r\n")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s set; their open sessions ended\n", *user)
	return nil
}

// setPassword hashes password and makes it the named user's.
func setPassword(ctx context.Context, db *postgres.DB, username, password string) error {
	u, err := postgres.NewUserService(db).FindUserByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("user %q: %w", username, err)
	}
	hash, err := authz.HashPassword(password)
	if err != nil {
		return err
	}
	_, err = postgres.NewSignInService(db).SetPassword(ctx, u.ID, hash)
	return err
}

// demoPasswords returns the demo users' passwords, kept in dataDir's
// demo-passwords.json (readable only by its owner): each enabled user who
// has none there gets a new random one, set in the database and added to
// the file, so that `make run` can always print how to sign in.
func demoPasswords(ctx context.Context, db *postgres.DB, dataDir string) (map[string]string, error) {
	path := filepath.Join(dataDir, "demo-passwords.json")
	passwords := map[string]string{}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &passwords); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	users, err := postgres.NewUserService(db).FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	added := false
	for _, u := range users {
		if _, ok := passwords[u.Username]; ok {
			continue
		}
		pw := authz.NewPassword()
		if err := setPassword(ctx, db, u.Username, pw); err != nil {
			return nil, err
		}
		passwords[u.Username], added = pw, true
	}
	if !added {
		return passwords, nil
	}
	b, err = json.MarshalIndent(passwords, "", "  ")
	if err != nil {
		return nil, err
	}
	return passwords, os.WriteFile(path, append(b, '\n'), 0o600)
}
