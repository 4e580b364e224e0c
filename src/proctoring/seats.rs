//! Seating a roster: each participant into a collecting room — the room the roster's `room` cell names
//! (its number, or the `name` or `subject` given in `service.rooms`), else the first room with a free
//! place, in roster order, as SEB Server fills rooms as clients connect (the first collecting room with
//! `size < collectingRoomSize`, `RemoteProctoringRoomDAOImpl.reservePlaceInCollectingRoom`).

use super::rooms::Room;
use crate::diagnostic::Diagnostic;
use crate::exam::RoomType;
use crate::roster::Roster;

/// For each participant, in roster order, the index in `rooms` of their room; each collecting room's
/// `size` becomes the number seated in it. Errors (unknown rooms) and warnings (a room fuller than
/// `collectingRoomSize` because the roster says so) are placed in the roster file.
pub fn assign(
    rooms: &mut [Room],
    roster: &Roster,
    room_size: i32,
) -> Result<(Vec<usize>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let collecting: Vec<usize> = (0..rooms.len())
        .filter(|&i| rooms[i].room_type == RoomType::Proctoring)
        .collect();
    let mut counts = vec![0u32; rooms.len()];
    let mut seating: Vec<Option<usize>> = vec![None; roster.participants.len()];
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let capacity = u32::try_from(room_size).ok().filter(|s| *s > 0);
    for (p, seat) in roster.participants.iter().zip(seating.iter_mut()) {
        let Some((value, pos)) = &p.room else {
            continue;
        };
        let found = collecting.iter().copied().find(|&i| {
            let r = &rooms[i];
            value.parse::<u32>().ok() == Some(r.number) || *value == r.name || *value == r.subject
        });
        let Some(i) = found else {
            errors.push(
                Diagnostic::error(
                    "roster-unknown-room",
                    format!("`{value}` is not a collecting room of this exam"),
                )
                .at(&roster.display, *pos)
                .hint(format!(
                    "write a room's number (1 to {}) or its `name` from `service.rooms`, or leave the cell empty to fill rooms in order",
                    collecting.len()
                )),
            );
            continue;
        };
        counts[i] += 1;
        if capacity.is_some_and(|c| counts[i] == c + 1) {
            warnings.push(
                Diagnostic::warning(
                    "room-over-capacity",
                    format!(
                        "the roster puts more than {room_size} participants (`collectingRoomSize`) into `{}`",
                        rooms[i].subject
                    ),
                )
                .at(&roster.display, *pos)
                .hint("move some participants to another room, or raise `collectingRoomSize`"),
            );
        }
        *seat = Some(i);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for seat in seating.iter_mut().filter(|s| s.is_none()) {
        let free = collecting
            .iter()
            .copied()
            .find(|&i| capacity.is_none_or(|c| counts[i] < c))
            .or_else(|| collecting.iter().copied().min_by_key(|&i| counts[i]));
        if let Some(i) = free {
            counts[i] += 1;
            *seat = Some(i);
        }
    }
    for &i in &collecting {
        rooms[i].size = counts[i];
    }
    // Every participant has a room: the plan has at least one collecting room.
    Ok((
        seating.into_iter().map(Option::unwrap_or_default).collect(),
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::parse;

    fn rooms(n: u32) -> Vec<Room> {
        (1..=n)
            .map(|number| Room {
                room_type: RoomType::Proctoring,
                number,
                name: format!("r{number}"),
                subject: format!("Room {number}"),
                size: 0,
                meeting_number: None,
                join_url: None,
                meeting_key: None,
            })
            .collect()
    }

    #[test]
    fn fills_in_order_and_honours_the_room_column() {
        let (roster, _) = parse(
            "r.csv",
            "id,name,room\na,A,\nb,B,2\nc,C,\nd,D,Room 2\ne,E,\n",
        );
        let mut rs = rooms(3);
        let (seating, warnings) = assign(&mut rs, &roster.unwrap(), 2).unwrap();
        assert_eq!(seating, [0, 1, 0, 1, 2]);
        assert!(warnings.is_empty());
        let sizes: Vec<u32> = rs.iter().map(|r| r.size).collect();
        assert_eq!(sizes, [2, 2, 1]);
    }

    #[test]
    fn unknown_rooms_are_errors_overfull_rooms_warnings() {
        let (roster, _) = parse("r.csv", "id,name,room\na,A,9\nb,B,hall\n");
        let errors = assign(&mut rooms(2), &roster.unwrap(), 20).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].col), (2, 5));
        assert!(errors[0].hint.as_deref().unwrap().contains("1 to 2"));
        let (roster, _) = parse("r.csv", "id,name,room\na,A,1\nb,B,1\nc,C,\n");
        let mut rs = rooms(2);
        let (seating, warnings) = assign(&mut rs, &roster.unwrap(), 1).unwrap();
        assert_eq!(seating, [0, 0, 1]);
        assert_eq!(warnings[0].code, "room-over-capacity");
        assert_eq!(warnings[0].line, 3);
    }
}
