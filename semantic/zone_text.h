/*
 * The forms a time zone is written in, as MySQL's SET time_zone takes them:
 * SYSTEM, an offset '+hh:mm' / '-h:mm' (from -13:59 to +14:00), or a name of
 * the system's tz database (/usr/share/zoneinfo, or $TZDIR). The semantic
 * layer checks calendar.yaml's time_zone with these; the planner's
 * planner/time_zone.c reads zones with the same rules, so that a zone the
 * catalog accepts is one a session can be in.
 */
#ifndef MIMIR_SEMANTIC_ZONE_TEXT_H
#define MIMIR_SEMANTIC_ZONE_TEXT_H

#include <stdbool.h>

/* '+hh:mm' or '-h:mm' within -13:59 .. +14:00: true with the minutes east of UTC. */
bool zone_offset_minutes(const char *text, int *minutes);

/* A name the tz database may hold: letters, digits, '_', '-', '+' and '/' between
 * parts, under 64 bytes, no "..". */
bool zone_name_well_formed(const char *name);

/* SYSTEM, an offset, or a well-formed name whose file in the tz database is a TZif file. */
bool zone_text_known(const char *text);

#endif
