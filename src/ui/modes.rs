//! The page's two modes, named in the address. Plain Rust, tested natively.
//!
//! - `?present`, presentation mode, for slides and projectors: large views, the secondary
//!   controls hidden (the page's button turns it on and off, and the address follows).
//! - `?embed`, for a course page's frame: no header, no tour, no session kept or restored,
//!   compact margins.

/// The query parameter of presentation mode.
pub const PRESENT: &str = "present";

/// The query parameter of the embedded page.
pub const EMBED: &str = "embed";

/// The modes an address asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Modes {
    /// Presentation mode.
    pub present: bool,
    /// Embedded in a course page.
    pub embed: bool,
}

impl Modes {
    /// The modes of a query string (`location.search`, with or without its `?`): a parameter
    /// named at all turns its mode on, with or without a value (`?present`, `?embed=1`).
    pub fn from_query(search: &str) -> Self {
        Self {
            present: has_parameter(search, PRESENT),
            embed: has_parameter(search, EMBED),
        }
    }
}

/// The parameters of a query string, `?` taken off, empty ones left out.
fn parameters(search: &str) -> impl Iterator<Item = &str> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|parameter| !parameter.is_empty())
}

/// The name of a parameter (`name` of `name=value`).
fn name_of(parameter: &str) -> &str {
    parameter
        .split_once('=')
        .map_or(parameter, |(name, _)| name)
}

/// Whether the query string names parameter `name`.
fn has_parameter(search: &str, name: &str) -> bool {
    parameters(search).any(|parameter| name_of(parameter) == name)
}

/// The address (path, query and fragment) of this page with parameter `name` named (`on`) or
/// not, the other parameters and the fragment (a share link) kept, for
/// `history.replaceState`.
pub fn address_with(pathname: &str, search: &str, hash: &str, name: &str, on: bool) -> String {
    let mut kept: Vec<&str> = parameters(search)
        .filter(|parameter| name_of(parameter) != name)
        .collect();
    if on {
        kept.push(name);
    }
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    format!("{pathname}{query}{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modes_of_an_address() {
        assert_eq!(Modes::from_query(""), Modes::default());
        assert_eq!(
            Modes::from_query("?present"),
            Modes {
                present: true,
                embed: false
            }
        );
        assert_eq!(
            Modes::from_query("?backend=cpu&embed=1&present="),
            Modes {
                present: true,
                embed: true
            }
        );
        // Another parameter's value, or a longer name, is not the mode.
        assert_eq!(
            Modes::from_query("?x=present&presentation"),
            Modes::default()
        );
    }

    #[test]
    fn the_address_keeps_the_other_parameters_and_the_share_link() {
        assert_eq!(address_with("/", "", "", PRESENT, true), "/?present");
        assert_eq!(
            address_with("/lab/", "?backend=cpu", "#model=fashion", PRESENT, true),
            "/lab/?backend=cpu&present#model=fashion"
        );
        assert_eq!(
            address_with(
                "/",
                "?present&backend=cpu",
                "#model=fashion",
                PRESENT,
                false
            ),
            "/?backend=cpu#model=fashion"
        );
        assert_eq!(address_with("/", "?present=1", "", PRESENT, false), "/");
        // Named once, however often it was.
        assert_eq!(
            address_with("/", "?present&present", "", PRESENT, true),
            "/?present"
        );
    }
}
