#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

/* SwiftPM keeps only -I/-L/-l from `pkg-config ncursesw` and drops "-D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600", so the
   wide-character API (get_wch, mvwaddwstr, cchar_t) is switched on here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <wchar.h>
#include <curses.h>

/* Attribute macros expand through the function-like NCURSES_BITS(), which Swift cannot import; static consts are
   imported as read-only constants (safe under Swift 6 checking). */
static const attr_t CN_A_NORMAL    = A_NORMAL;
static const attr_t CN_A_BOLD      = A_BOLD;
static const attr_t CN_A_DIM       = A_DIM;
static const attr_t CN_A_REVERSE   = A_REVERSE;
static const attr_t CN_A_UNDERLINE = A_UNDERLINE;

/* getmaxyx() assigns to its arguments; return a struct instead. */
typedef struct { int rows; int cols; } cn_size;
static inline cn_size cn_getmaxyx(WINDOW *win) { cn_size s; getmaxyx(win, s.rows, s.cols); return s; }

/* Sets the attributes and the colour pair for what is written next (wattrset takes int and a pair in the bits). */
static inline int cn_attr_set(WINDOW *win, attr_t a, short pair) { return wattr_set(win, a, pair, NULL); }

/* stdscr, COLORS are mutable C globals that Swift 6 rejects ("not concurrency-safe"); read them through functions. */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_colors(void) { return COLORS; }

#endif
