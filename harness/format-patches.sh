#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make patches: the series of patches/ as mailing-list patches, in
# build/patches/ (a cover letter and one git-format-patch file per patch).
#
# Each patch of patches/series becomes one commit on the branch
# ktls-upstream of build/upstream-git, a git repository of the pristine
# linux-source-6.1 (tag ktls-base): the patch's edits (git apply), the new
# files named under it in patches/series (copied from this repository),
# and the patch's own message.  Every project file at a kernel path
# (harness/common.sh overlay_files) must be named under exactly one patch.
# patches/cover-letter.txt is the cover letter: subject, blank line, body;
# its line "@PERFORMANCE@" becomes the table of $KTLS_BENCH_CSV (default
# build/bench-results/host_vdso.csv, from make bench), or a pointer to the README.
# Commit dates derive from the project's HEAD commit, so an unchanged
# input gives the same commits; an unchanged run does nothing.
# harness/series.sh edits the series as these commits and exports them.
#
# Environment: KTLS_BENCH_CSV, KTLS_SUBJECT_PREFIX (default "PATCH"),
# KTLS_PATCHES_FORCE=1 (rebuild even when the inputs are unchanged),
# KTLS_PATCHES_FUZZ=1 (apply with patch(1)'s default fuzz: moving the
# base, harness/series.sh rebase).
set -euo pipefail
. "$(dirname "$0")/common.sh"

git_tree=$build/upstream-git
out=$build/patches
letter=$top/patches/cover-letter.txt
bench_csv=${KTLS_BENCH_CSV:-$build/bench-results/host_vdso.csv}
prefix=${KTLS_SUBJECT_PREFIX:-PATCH}
ident_name="ktls developers"
ident_email="ktls@localhost"
to=linux-kernel@vger.kernel.org
cc=linux-api@vger.kernel.org

# git in the series repository only, never the project's.
G() {
	git --git-dir="$git_tree/.git" --work-tree="$git_tree" -C "$git_tree" "$@"
}
export GIT_AUTHOR_NAME=$ident_name GIT_AUTHOR_EMAIL=$ident_email
export GIT_COMMITTER_NAME=$ident_name GIT_COMMITTER_EMAIL=$ident_email

# --- 1. Every project kernel file under exactly one patch ---------------

[ -f "$letter" ] || die "${letter#$top/} missing"
mapfile -t all_overlay < <(overlay_files)
mapfile -t entries < <(series_entries)
[ ${#entries[@]} -gt 0 ] || die "patches/series names no patch"
declare -A file_owner
declare -a commit_patch commit_files
bad=0
for i in "${!entries[@]}"; do
	read -r p rest <<< "${entries[$i]}"
	[ -f "$top/patches/$p" ] || { echo "error: patches/$p does not exist" >&2; bad=1; }
	fs=()
	for e in $rest; do
		n=0
		for f in "${all_overlay[@]}"; do
			if [ "$f" = "$e" ] || { [[ $e == */ ]] && [[ $f == "$e"* ]]; }; then
				if [ -n "${file_owner[$f]:-}" ]; then
					echo "error: $f is under $p and ${file_owner[$f]}" >&2
					bad=1
				fi
				file_owner[$f]=$p
				fs+=("$f")
				n=$((n + 1))
			fi
		done
		[ $n -gt 0 ] || { echo "error: $e (under $p) is no project kernel file" >&2; bad=1; }
	done
	commit_patch[$i]=$p
	commit_files[$i]="${fs[*]}"
done
for f in "${all_overlay[@]}"; do
	[ -n "${file_owner[$f]:-}" ] ||
		{ echo "error: $f (a project kernel file) is under no patch in patches/series" >&2; bad=1; }
done
[ $bad -eq 0 ] || die "patches/series does not name every project kernel file once (see above)"
say "patches: ${#entries[@]} patches adding ${#file_owner[@]} new files"

# --- 2. Skip when nothing changed ----------------------------------------

[ -f "$tarball" ] || die "$tarball missing: run harness/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
base_date=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 1700000000)
inputs_hash() {
	{
		echo "$version $base_date $prefix $to $cc ${KTLS_PATCHES_FUZZ:-0}"
		cat "$0" "$letter" "$top/patches/series"
		for p in "${commit_patch[@]}"; do echo "$p"; cat "$top/patches/$p"; done
		printf '%s\n' "${!file_owner[@]}" | LC_ALL=C sort |
			while read -r f; do echo "$f"; cat "$top/$f"; done
		[ -f "$bench_csv" ] && cat "$bench_csv"
		echo end
	} | sha256sum | cut -c1-16
}
hash=$(inputs_hash)
if [ "${KTLS_PATCHES_FORCE:-0}" != 1 ] &&
   [ "$(cat "$out/.ktls-inputs" 2>/dev/null)" = "$hash" ] &&
   [ -d "$git_tree/.git" ] &&
   [ "$(G rev-parse -q --verify refs/heads/ktls-upstream 2>/dev/null)" = \
     "$(cat "$out/.ktls-tip" 2>/dev/null)" ]; then
	say "patches: up to date ($(ls "$out"/*.patch | wc -l) files in ${out#$top/}/)"
	exit 0
fi

# --- 3. The pristine base repository, made once per package version -------

if [ "$(cat "$git_tree/.git/ktls-base-version" 2>/dev/null)" != "$version" ] ||
   ! G rev-parse -q --verify refs/tags/ktls-base >/dev/null 2>&1; then
	say "patches: creating the base repository ${git_tree#$top/} from linux-source-6.1 $version (about 1 min)"
	rm -rf "$git_tree" "$git_tree.tmp"
	mkdir -p "$git_tree.tmp"
	tar -C "$git_tree.tmp" -xf "$tarball"
	mv "$git_tree.tmp/linux-source-6.1" "$git_tree"
	rmdir "$git_tree.tmp"
	git init -q "$git_tree"
	G config user.name "$ident_name"
	G config user.email "$ident_email"
	G config core.autocrlf false
	G config gc.auto 0
	G config commit.gpgsign false
	G config tag.gpgsign false
	G add -A -f .
	kv=$(sed -n -e 's/^VERSION = //p' -e 's/^PATCHLEVEL = //p' -e 's/^SUBLEVEL = //p' \
		"$git_tree/Makefile" | paste -sd.)
	GIT_AUTHOR_DATE="@$base_date +0000" GIT_COMMITTER_DATE="@$base_date +0000" \
		G commit -q -m "Linux $kv (Debian linux-source-6.1 $version)" \
		-m "The pristine tree of Debian's linux-source-6.1 package, version $version,
from /usr/src/linux-source-6.1.tar.xz: the base of the ktls series."
	G tag -f ktls-base >/dev/null
	echo "$version" > "$git_tree/.git/ktls-base-version"
	say "patches: base commit $(G rev-parse --short ktls-base)"
fi

# --- 4. One commit per patch ---------------------------------------------

say "patches: building branch ktls-upstream on ktls-base"
G checkout -q -f -B ktls-upstream ktls-base
G clean -fdxq
info=$(mktemp -d)
trap 'rm -rf "$info"' EXIT
for i in "${!commit_patch[@]}"; do
	n=$((i + 1))
	p=${commit_patch[$i]}
	if [ "${KTLS_PATCHES_FUZZ:-0}" = 1 ]; then
		patch -d "$git_tree" -p1 --forward --no-backup-if-mismatch -s \
			-i "$top/patches/$p" || die "patches/$p does not apply, even with fuzz"
		G add -A .
	else
		G apply --index "$top/patches/$p" ||
			die "patches/$p does not apply with git apply"
	fi
	for f in ${commit_files[$i]}; do
		[ -e "$git_tree/$f" ] && die "$p: $f already exists in the tree"
		mkdir -p "$git_tree/$(dirname "$f")"
		cp --preserve=mode "$top/$f" "$git_tree/$f"
		G add -f -- "$f"
	done
	G diff --cached --quiet && die "$p: the commit changes nothing"
	G mailinfo -k "$info/msg" /dev/null < "$top/patches/$p" > "$info/head"
	subject=$(sed -n 's/^Subject: //p' "$info/head" | sed 's/^\[PATCH[^]]*\] *//')
	[ -n "$subject" ] || die "$p: no Subject: line"
	[ -n "$(sed '/^Signed-off-by:/d;/^[[:space:]]*$/d' "$info/msg")" ] ||
		die "$p: no commit message body (say why)"
	d="@$((base_date + n * 60)) +0000"
	{ echo "$subject"; echo; cat "$info/msg"; } |
		GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d G commit -q --no-verify -F -
	say "patches: [$n/${#commit_patch[@]}] $(G log -1 --format='%h %s') ($(G diff --shortstat HEAD~1 HEAD | sed 's/^ //'))"
done

# --- 5. git format-patch and the cover letter --------------------------

performance() {
	if [ ! -f "$bench_csv" ]; then
		echo "No benchmark results were found (${bench_csv#$top/}); see README.md"
		echo "(make run prints the benchmark table)."
		return
	fi
	perl - "$bench_csv" "${bench_csv#$top/}" <<'PERL'
use strict; use warnings;
use Text::ParseWords qw(parse_line);
my ($file, $name) = @ARGV;
open(my $in, '<', $file) or die "$file: $!";
my $hdr = <$in>;
defined $hdr or do { print "The benchmark file $name is empty; see README.md.\n"; exit 0 };
$hdr =~ s/\r?\n$//;
my @cols = parse_line(',', 0, $hdr);
my (%by, @order, %progs);
while (my $l = <$in>) {
	$l =~ s/\r?\n$//;
	next if $l =~ /^\s*$/;
	my @v = parse_line(',', 0, $l);
	my %r; @r{@cols} = map { defined ? $_ : '' } @v;
	my $s = $r{section} // 'results';
	push @order, $s unless $by{$s};
	push @{$by{$s}}, \%r;
	$progs{$r{program} // '?'} = 1;
}
close $in;
unless (@order) { print "The benchmark file $name has no rows; see README.md.\n"; exit 0 }
my @p = sort keys %progs;
print "Medians from $name (", join(', ', @p), ").\n";
print "Measured in a QEMU guest: under TCG these are emulation figures,\nnot hardware ones.\n"
	if grep { /guest/ } @p;
for my $s (@order) {
	my @rows;
	for my $r (@{$by{$s}}) {
		my $what = $r->{method} // '';
		$what .= " [$r->{path}]" if ($r->{path} // '') ne '' && $r->{path} ne $what;
		my $where = $r->{where} // '';
		my ($val, $rest);
		if (($r->{status} // '') eq 'ok' && ($r->{median} // '') ne '') {
			my $m = $r->{median};
			$val = $m >= 100 ? sprintf('%.0f', $m) : $m >= 10 ? sprintf('%.1f', $m) : sprintf('%.2f', $m);
			$val .= " $r->{unit}" if ($r->{unit} // '') ne '';
			$rest = ($r->{ratio} // '') ne '' && ($r->{ref} // '') ne ''
				? sprintf('%.3fx %s', $r->{ratio}, $r->{ref}) : '';
		} else {
			$val = '-';
			$rest = $r->{status} // '';
		}
		push @rows, [$what, $where, $val, $rest];
	}
	my @w = (0, 0, 0);
	for my $r (@rows) { for my $c (0 .. 2) { $w[$c] = length $r->[$c] if length $r->[$c] > $w[$c] } }
	print "\n$s:\n";
	for my $r (@rows) {
		my $line = sprintf("  %-*s  %-*s  %*s  %s", $w[0], $r->[0], $w[1], $r->[1], $w[2], $r->[2], $r->[3]);
		$line =~ s/\s+$//;
		print "$line\n";
	}
}
PERL
}

rm -rf "$out"
mkdir -p "$out"
G format-patch -q --cover-letter --subject-prefix="$prefix" --to="$to" --cc="$cc" \
	-o "$out" ktls-base..ktls-upstream
cover=$(ls "$out"/0000-cover-letter.patch)
perf=$(mktemp)
trap 'rm -rf "$info" "$perf"' EXIT
performance > "$perf"
perl - "$letter" "$perf" "$cover" > "$cover.new" <<'PERL'
use strict; use warnings;
my ($letter, $perf, $cover) = @ARGV;
sub slurp { open(my $f, '<', $_[0]) or die "$_[0]: $!"; local $/; my $s = <$f>; close $f; $s }
my @body = split /\n/, slurp($letter), -1;
my $subject = shift @body;
shift @body while @body && $body[0] eq '';
pop @body while @body && $body[-1] eq '';
my $p = slurp($perf);
$p =~ s/\n+$//;
my $blurb = join("\n", map { $_ eq '@PERFORMANCE@' ? $p : $_ } @body);
my $s = slurp($cover);
$s =~ s/\*\*\* SUBJECT HERE \*\*\*/$subject/ or die "no subject placeholder\n";
$s =~ s/\*\*\* BLURB HERE \*\*\*/$blurb/ or die "no blurb placeholder\n";
print $s;
PERL
mv "$cover.new" "$cover"
grep -q '@PERFORMANCE@\|\*\*\* SUBJECT HERE\|\*\*\* BLURB HERE' "$cover" &&
	die "the cover letter still holds a placeholder"

echo "$hash" > "$out/.ktls-inputs"
G rev-parse ktls-upstream > "$out/.ktls-tip"
say "patches: wrote $(ls "$out"/*.patch | wc -l) files to ${out#$top/}/:"
(cd "$out" && ls -1 -- *.patch | sed 's/^/  /')
