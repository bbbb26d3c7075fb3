//! XLSForm-style expressions for relevance, constraints and pass rules:
//! `${wait_s} > 300 and ${vip} = 'yes'`, `. <= 300`, `selected(${f}, 'water')`.
//! Parsed and type-checked when a template loads; evaluation is total (never
//! panics) and its recursion is bounded by the parser's nesting limit.

use std::fmt;

use super::dates;
use crate::msg;
use crate::msg::Msg;

/// Longest expression accepted, in bytes.
pub const MAX_LEN: usize = 2_000;
/// Deepest nesting accepted (parentheses, operators, calls).
pub const MAX_DEPTH: usize = 40;
/// Most arguments a function with a variable number of them takes.
const MAX_ARGS: usize = 64;
/// Longest text `concat()` makes, in bytes.
const MAX_TEXT: usize = 10_000;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// `${name}`: the answer to another item.
    Ref(String),
    /// `.`: the answer to the item the expression belongs to.
    Current,
    /// A bare name, `county`: in a `choice_filter`, that column of the
    /// choice being filtered (`name` is its value), as XLSForm has it.
    Field(String),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 5,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
        }
    }
}

/// The functions an expression may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Selected,
    CountSelected,
    StringLength,
    Not,
    If,
    True,
    False,
    Coalesce,
    /// `round(x)` or `round(x, digits)`: half away from zero.
    Round,
    /// `int(x)`: toward zero.
    Int,
    /// `floor(x)`, `ceiling(x)`, `abs(x)`.
    Floor,
    Ceiling,
    Abs,
    /// `number(x)`: a text as a number (null if it is none).
    Number,
    /// `concat(a, b, ...)`: the values as one text.
    Concat,
    /// `substr(s, start)` or `substr(s, start, end)`: characters from
    /// `start` (0 first) up to `end` (not included), as XPath 1.0 in ODK.
    Substr,
    /// `regex(value, 'pattern')`: whether the pattern matches somewhere in
    /// the value (anchor it with `^` and `$` for the whole), as ODK's.
    Regex,
    /// `decimal-date-time(d)`: days since 1970-01-01 (`templates::dates`).
    DecimalDateTime,
    /// `date(x)`, `date-time(x)`: a date or a number of days as ISO text.
    Date,
    DateTime,
    /// `format-date(d, '%d %b')`, `format-date-time(d, '%H:%M')`.
    FormatDate,
    FormatDateTime,
    /// `today()`, `now()`: the date, and the date and time, the record was
    /// started (`answers::Started`), in China Standard Time.
    Today,
    Now,
    /// `sum(a, ...)`, `max(a, ...)`, `min(a, ...)`: of the numbers given
    /// (ODK's take node-sets, which outside a repeat are single values).
    Sum,
    Max,
    Min,
    /// `jr:choice-name(value, '${item}')`: the label of the item's choice
    /// of that value (in Simplified Chinese, the operators' language; a
    /// form in one language has it in both).
    ChoiceName,
    /// `once(x)`: `x`. ODK keeps the first value; here every value is
    /// worked out from the record (its start, its answers), the same on the
    /// device and the server, so `once(now())` is the record's start.
    Once,
    /// `count(${repeat})`, or `count(${q})` of a question in a repeated
    /// section: how many entries the section has (answered or not, as
    /// ODK counts the question's nodes).
    Count,
    /// `position()` (XLSForm's `position(..)`): the number of the entry,
    /// 1 first, in a repeated section.
    Position,
    /// `indexed-repeat(${q}, ${repeat}, n)`: the answer to `q` in entry
    /// `n` (1 first) of its repeated section.
    IndexedRepeat,
}

impl Func {
    const ALL: [(&'static str, Func); 33] = [
        ("selected", Func::Selected),
        ("count-selected", Func::CountSelected),
        ("string-length", Func::StringLength),
        ("not", Func::Not),
        ("if", Func::If),
        ("true", Func::True),
        ("false", Func::False),
        ("coalesce", Func::Coalesce),
        ("round", Func::Round),
        ("int", Func::Int),
        ("floor", Func::Floor),
        ("ceiling", Func::Ceiling),
        ("abs", Func::Abs),
        ("number", Func::Number),
        ("concat", Func::Concat),
        // `string(x)`: a value as text, which concat() of one value is.
        ("string", Func::Concat),
        ("substr", Func::Substr),
        ("regex", Func::Regex),
        ("decimal-date-time", Func::DecimalDateTime),
        ("date", Func::Date),
        ("date-time", Func::DateTime),
        ("format-date", Func::FormatDate),
        ("format-date-time", Func::FormatDateTime),
        ("today", Func::Today),
        ("now", Func::Now),
        ("sum", Func::Sum),
        ("max", Func::Max),
        ("min", Func::Min),
        ("jr:choice-name", Func::ChoiceName),
        ("once", Func::Once),
        ("count", Func::Count),
        ("position", Func::Position),
        ("indexed-repeat", Func::IndexedRepeat),
    ];

    fn from_name(name: &str) -> Option<Func> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    /// The fewest and the most arguments it takes.
    fn arity(self) -> (usize, usize) {
        match self {
            Func::True | Func::False | Func::Today | Func::Now | Func::Position => (0, 0),
            Func::CountSelected
            | Func::StringLength
            | Func::Not
            | Func::Int
            | Func::Floor
            | Func::Ceiling
            | Func::Abs
            | Func::Number
            | Func::DecimalDateTime
            | Func::Date
            | Func::DateTime => (1, 1),
            Func::Selected
            | Func::Coalesce
            | Func::Regex
            | Func::FormatDate
            | Func::FormatDateTime
            | Func::ChoiceName => (2, 2),
            Func::Once | Func::Count => (1, 1),
            Func::Round => (1, 2),
            Func::Substr => (2, 3),
            Func::If | Func::IndexedRepeat => (3, 3),
            Func::Concat | Func::Sum | Func::Max | Func::Min => (1, MAX_ARGS),
        }
    }
}

/// A problem in an expression, at a byte offset into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: Msg,
}

impl ExprError {
    /// The problem with where it is, for people.
    pub fn msg(&self) -> Msg {
        msg!(
            "expr.at",
            "{error} (at character {position})",
            error = self.message.clone(),
            position = self.offset + 1
        )
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for ExprError {}

fn err<T>(offset: usize, message: Msg) -> Result<T, ExprError> {
    Err(ExprError { offset, message })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ref(String),
    Dot,
    Ident(String),
    LParen,
    RParen,
    Comma,
    Op(BinOp),
    Minus,
    End,
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            // A no-break or other space a spreadsheet keeps: a space.
            _ if src[i..].starts_with(char::is_whitespace) => {
                i += src[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            b'(' => (out.push((i, Tok::LParen)), i += 1).1,
            b')' => (out.push((i, Tok::RParen)), i += 1).1,
            b',' => (out.push((i, Tok::Comma)), i += 1).1,
            b'+' => (out.push((i, Tok::Op(BinOp::Add))), i += 1).1,
            b'-' => (out.push((i, Tok::Minus)), i += 1).1,
            b'*' => (out.push((i, Tok::Op(BinOp::Mul))), i += 1).1,
            b'=' => (out.push((i, Tok::Op(BinOp::Eq))), i += 1).1,
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                out.push((i, Tok::Op(BinOp::Ne)));
                i += 2;
            }
            b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, eq) {
                    (b'<', false) => BinOp::Lt,
                    (b'<', true) => BinOp::Le,
                    (_, false) => BinOp::Gt,
                    (_, true) => BinOp::Ge,
                };
                out.push((i, Tok::Op(op)));
                i += if eq { 2 } else { 1 };
            }
            b'\'' | b'"' => {
                let close = src[i + 1..].find(c as char).ok_or_else(|| ExprError {
                    offset: start,
                    message: msg!("expr.unterminated_string", "unterminated string"),
                })?;
                out.push((i, Tok::Str(src[i + 1..i + 1 + close].to_string())));
                i += close + 2;
            }
            // Quotes a spreadsheet turned typographic as they were typed
            // (‘yes’, ’yes’, “yes”): text, as the author meant.
            _ if src[i..].starts_with(['‘', '’', '“', '”']) => {
                let open = src[i..].chars().next().unwrap_or('\'');
                let closers: &[char] = if matches!(open, '‘' | '’') {
                    &['‘', '’']
                } else {
                    &['“', '”']
                };
                let body = i + open.len_utf8();
                let close = src[body..].find(closers).ok_or_else(|| ExprError {
                    offset: start,
                    message: msg!("expr.unterminated_string", "unterminated string"),
                })?;
                out.push((i, Tok::Str(src[body..body + close].to_string())));
                let closer = src[body + close..].chars().next().map_or(1, char::len_utf8);
                i = body + close + closer;
            }
            b'$' => {
                if bytes.get(i + 1) != Some(&b'{') {
                    return err(
                        i,
                        msg!(
                            "expr.dollar_without_brace",
                            "expected `{brace}` after `$`",
                            brace = "{"
                        ),
                    );
                }
                let close = src[i + 2..].find('}').ok_or_else(|| ExprError {
                    offset: start,
                    message: msg!(
                        "expr.unterminated_ref",
                        "unterminated `{open}`",
                        open = "${"
                    ),
                })?;
                let name = src[i + 2..i + 2 + close].trim();
                if name.is_empty() {
                    return err(
                        i,
                        msg!(
                            "expr.empty_ref",
                            "empty reference `{reference}`",
                            reference = "${}"
                        ),
                    );
                }
                out.push((i, Tok::Ref(name.to_string())));
                i += close + 3;
            }
            // `../x`, `./x`: paths relative to the current node, as ODK reads
            // them inside repeats; named for what they are.
            b'.' if matches!(bytes.get(i + 1), Some(b'.') | Some(b'/')) => {
                let end = src[i..]
                    .find(|c: char| c.is_whitespace() || ",)=<>!+*".contains(c))
                    .map_or(src.len(), |n| i + n);
                return err(
                    i,
                    msg!(
                        "expr.relative_path",
                        "relative references such as `{path}` are not supported yet; refer to the question by its name",
                        path = &src[i..end]
                    ),
                );
            }
            b'0'..=b'9' | b'.' => {
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                let text = &src[i..j];
                if text == "." {
                    out.push((i, Tok::Dot));
                } else {
                    let n: f64 = text.parse().map_err(|_| ExprError {
                        offset: i,
                        message: msg!("expr.not_a_number", "`{text}` is not a number", text = text),
                    })?;
                    out.push((i, Tok::Num(n)));
                }
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] == b'-')
                {
                    j += 1;
                }
                let word = &src[i..j];
                // `jr:choice-name(`, `jr:itext(`...: ODK's prefixed functions.
                if bytes.get(j) == Some(&b':') {
                    let mut k = j + 1;
                    while k < bytes.len()
                        && (bytes[k].is_ascii_alphanumeric()
                            || bytes[k] == b'_'
                            || bytes[k] == b'-')
                    {
                        k += 1;
                    }
                    if &src[i..k] == "jr:choice-name" {
                        out.push((i, Tok::Ident(src[i..k].to_string())));
                        i = k;
                        continue;
                    }
                    return err(
                        i,
                        msg!(
                            "expr.prefixed_function",
                            "the function `{function}` is not supported yet",
                            function = &src[i..k]
                        ),
                    );
                }
                let tok = match word {
                    "and" => Tok::Op(BinOp::And),
                    "or" => Tok::Op(BinOp::Or),
                    "div" => Tok::Op(BinOp::Div),
                    "mod" => Tok::Op(BinOp::Mod),
                    _ => Tok::Ident(word.to_string()),
                };
                out.push((i, tok));
                i = j;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return err(
                    i,
                    msg!(
                        "expr.unexpected_character",
                        "unexpected character `{ch}`",
                        ch = ch
                    ),
                );
            }
        }
    }
    out.push((src.len(), Tok::End));
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        // The token list always ends with `End` and `pos` never passes it.
        &self.toks[self.pos.min(self.toks.len() - 1)].1
    }

    fn offset(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(
                self.offset(),
                msg!(
                    "expr.too_deep",
                    "nested deeper than {max} levels",
                    max = MAX_DEPTH
                ),
            );
        }
        Ok(())
    }

    fn expr(&mut self, min_prec: u8) -> Result<Expr, ExprError> {
        self.enter()?;
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Op(op) => *op,
                Tok::Minus => BinOp::Sub,
                _ => break,
            };
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            self.bump();
            let rhs = self.expr(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if *self.peek() == Tok::Minus {
            self.bump();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.offset();
        match self.bump() {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Ref(r) => Ok(Expr::Ref(r)),
            Tok::Dot => Ok(Expr::Current),
            Tok::LParen => {
                let e = self.expr(0)?;
                match self.bump() {
                    Tok::RParen => Ok(e),
                    _ => err(self.offset(), msg!("expr.expected_close", "expected `)`")),
                }
            }
            // A bare name: a choice's column (the type check says where
            // one may stand).
            // `true` and `false` without brackets, as people write them:
            // what they mean, not a column.
            Tok::Ident(name)
                if *self.peek() != Tok::LParen && matches!(name.as_str(), "true" | "false") =>
            {
                let func = if name == "true" {
                    Func::True
                } else {
                    Func::False
                };
                Ok(Expr::Call(func, Vec::new()))
            }
            // (A column may be named like a function: `date`, `number`.)
            Tok::Ident(name) if *self.peek() != Tok::LParen => Ok(Expr::Field(name)),
            Tok::Ident(name) => {
                let Some(func) = Func::from_name(&name) else {
                    return err(
                        at,
                        msg!(
                            "expr.unknown_function",
                            "unknown function or word `{name}`",
                            name = name
                        ),
                    );
                };
                if self.bump() != Tok::LParen {
                    return err(
                        at,
                        msg!(
                            "expr.expected_open",
                            "expected `(` after `{name}`",
                            name = name
                        ),
                    );
                }
                let mut args = Vec::new();
                if *self.peek() != Tok::RParen {
                    loop {
                        args.push(self.expr(0)?);
                        match self.bump() {
                            Tok::Comma => continue,
                            Tok::RParen => break,
                            _ => {
                                return err(
                                    self.offset(),
                                    msg!("expr.expected_comma_or_close", "expected `,` or `)`"),
                                );
                            }
                        }
                    }
                } else {
                    self.bump();
                }
                let (least, most) = func.arity();
                if args.len() < least || args.len() > most {
                    let want = match (least, most) {
                        (l, m) if l == m => l.to_string(),
                        (l, MAX_ARGS) => format!("{l}+"),
                        (l, m) => format!("{l}-{m}"),
                    };
                    return err(
                        at,
                        msg!(
                            "expr.arity",
                            "`{name}` takes {want} argument(s), got {got}",
                            name = name,
                            want = want,
                            got = args.len()
                        ),
                    );
                }
                Ok(Expr::Call(func, args))
            }
            Tok::End => err(at, msg!("expr.ends_early", "expression ends too early")),
            t => err(
                at,
                msg!(
                    "expr.unexpected",
                    "unexpected {token}",
                    token = describe(&t)
                ),
            ),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::Minus => "`-`".into(),
        other => format!("{other:?}"),
    }
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    if src.len() > MAX_LEN {
        return err(
            0,
            msg!(
                "expr.too_long",
                "longer than {max} characters",
                max = MAX_LEN
            ),
        );
    }
    if src.trim().is_empty() {
        return err(0, msg!("expr.empty", "empty expression"));
    }
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    match p.peek() {
        Tok::End => Ok(e),
        t => err(
            p.offset(),
            msg!(
                "expr.unexpected_after",
                "unexpected {token} after the expression",
                token = describe(t)
            ),
        ),
    }
}

impl Expr {
    /// The bare names this expression reads: a choice's columns, in a
    /// `choice_filter`.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Field(name) = e {
                out.push(name.as_str());
            }
        });
        out
    }

    /// Calls `visit` on this expression and every one inside it.
    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Neg(e) => e.walk(visit),
            Expr::Binary(_, a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(visit)),
            Expr::Num(_) | Expr::Str(_) | Expr::Ref(_) | Expr::Current | Expr::Field(_) => {}
        }
    }

    /// Names of the items this expression reads.
    pub fn refs(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Ref(name) = e {
                out.push(name.as_str());
            }
        });
        out
    }
}

/// Static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num,
    Str,
    Bool,
    /// The chosen values of a multiple-choice item.
    List,
}

impl Ty {
    /// The type's name, for people.
    pub fn msg(self) -> Msg {
        match self {
            Ty::Num => msg!("expr.type_number", "number"),
            Ty::Str => msg!("expr.type_text", "text"),
            Ty::Bool => msg!("expr.type_bool", "true/false"),
            Ty::List => msg!("expr.type_list", "list of choices"),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

/// Why an expression does not type-check; the message names the part at
/// fault, for the template's author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    UnknownItem(String),
    /// A bare name where no choice is being filtered, or a column no
    /// choice of the list has.
    UnknownField {
        name: String,
        columns: Option<String>,
    },
    CurrentNotAllowed,
    NotACondition(Ty),
    /// A function or operator given an argument of the wrong type.
    Argument {
        what: String,
        want: Ty,
        got: Ty,
    },
    Operands {
        op: &'static str,
        want: Ty,
        left: Ty,
        right: Ty,
    },
    Mixed {
        op: &'static str,
        left: Ty,
        right: Ty,
    },
    Uncomparable {
        op: &'static str,
        ty: Ty,
    },
    NotAChoiceItem(Ty),
    Branches(Ty, Ty),
    Alternatives(Ty, Ty),
    UnknownChoice {
        value: String,
        item: String,
        choices: String,
    },
    /// `jr:choice-name()` without a choice question in quotes after the
    /// value.
    ChoiceNameItem(String),
    /// A question of a repeated section read outside it, where it has one
    /// answer per entry.
    InRepeat {
        item: String,
        repeat: String,
    },
    /// `count()` of something that is no repeated section or question in one.
    CountWhat(String),
    /// `position()` outside a repeated section.
    PositionOutside,
    /// `indexed-repeat()` whose question is not in the repeated section named.
    IndexedRepeat {
        item: String,
        repeat: String,
    },
    /// A `regex()` pattern that is none, or too large.
    Pattern {
        pattern: String,
        detail: String,
    },
}

impl TypeError {
    /// What is wrong, for people.
    pub fn msg(&self) -> Msg {
        match self {
            TypeError::UnknownItem(name) => msg!(
                "expr.unknown_item",
                "`{reference}` does not name an item in this template",
                reference = format!("${{{name}}}")
            ),
            TypeError::UnknownField {
                name,
                columns: None,
            } => msg!(
                "expr.bare_name",
                "`{name}` is a bare name: write `{reference}` for an item's answer (a bare name reads a choice's column, in a choice_filter only)",
                name = name,
                reference = format!("${{{name}}}")
            ),
            TypeError::UnknownField {
                name,
                columns: Some(columns),
            } => msg!(
                "expr.unknown_column",
                "no choice of the list has a column `{name}` (it has {columns}); write `{reference}` for an item's answer",
                name = name,
                columns = columns,
                reference = format!("${{{name}}}")
            ),
            TypeError::CurrentNotAllowed => msg!(
                "expr.current_not_allowed",
                "`.` (this item's answer) is not allowed here"
            ),
            TypeError::NotACondition(t) => msg!(
                "expr.not_a_condition",
                "must be a true/false condition, but gives {got}",
                got = t.msg()
            ),
            TypeError::Argument { what, want, got } => msg!(
                "expr.argument",
                "{what} needs {want}, got {got}",
                what = what,
                want = want.msg(),
                got = got.msg()
            ),
            TypeError::Operands {
                op,
                want,
                left,
                right,
            } => msg!(
                "expr.operands",
                "`{op}` needs {want} on both sides, got {left} and {right}",
                op = op,
                want = want.msg(),
                left = left.msg(),
                right = right.msg()
            ),
            TypeError::Mixed { op, left, right } => msg!(
                "expr.mixed",
                "`{op}` compares {left} with {right}; both sides must be of one type",
                op = op,
                left = left.msg(),
                right = right.msg()
            ),
            TypeError::Uncomparable { op, ty } => msg!(
                "expr.uncomparable",
                "`{op}` cannot compare {ty} values",
                op = op,
                ty = ty.msg()
            ),
            TypeError::ChoiceNameItem(got) => msg!(
                "expr.choice_name_item",
                "jr:choice-name() needs a choice question in quotes after the value, as `{example}`; got {got}",
                example = "jr:choice-name(${q}, '${q}')",
                got = got
            ),
            TypeError::InRepeat { item, repeat } => msg!(
                "expr.in_repeat",
                "`{reference}` is answered once per entry of `{repeat}`: read it there, or here with sum(), max(), min(), count() or indexed-repeat()",
                reference = format!("${{{item}}}"),
                repeat = repeat
            ),
            TypeError::CountWhat(got) => msg!(
                "expr.count_what",
                "count() counts the entries of a repeated section, or the answers to a question in one; got {got}",
                got = got
            ),
            TypeError::PositionOutside => msg!(
                "expr.position_outside",
                "position() numbers the entries of a repeated section and is read inside one only"
            ),
            TypeError::IndexedRepeat { item, repeat } => msg!(
                "expr.indexed_repeat",
                "indexed-repeat() needs a question of the repeated section it names: `{item}` is not in `{repeat}`",
                item = item,
                repeat = repeat
            ),
            TypeError::Pattern { pattern, detail } => msg!(
                "expr.pattern",
                "`{pattern}` is not a regular expression regex() can use: {detail}",
                pattern = pattern,
                detail = detail
            ),
            TypeError::NotAChoiceItem(t) => msg!(
                "expr.not_a_choice_item",
                "selected() needs a choice item as its first argument, got {got}",
                got = t.msg()
            ),
            TypeError::Branches(a, b) => msg!(
                "expr.branches",
                "if() branches give {first} and {second}; they must agree",
                first = a.msg(),
                second = b.msg()
            ),
            TypeError::Alternatives(a, b) => msg!(
                "expr.alternatives",
                "coalesce() arguments are {first} and {second}; they must agree",
                first = a.msg(),
                second = b.msg()
            ),
            TypeError::UnknownChoice {
                value,
                item,
                choices,
            } => msg!(
                "expr.unknown_choice",
                "'{value}' is not one of the choices of `{item}` ({choices})",
                value = value,
                item = item,
                choices = choices
            ),
        }
    }
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for TypeError {}

/// What the type checker knows about the items an expression may read.
pub trait Scope {
    /// Type of item `name`'s answer, or `None` when no such item exists.
    fn type_of(&self, name: &str) -> Option<Ty>;
    /// The allowed values of a choice item, to catch misspelt literals.
    fn choices_of(&self, name: &str) -> Option<Vec<String>>;
    /// Type of `.`, or `None` where `.` is not allowed.
    fn current(&self) -> Option<(Ty, Option<String>)>;
    /// The columns a bare name may read: those of the choices a
    /// `choice_filter` filters; `None` elsewhere.
    fn fields(&self) -> Option<&[String]> {
        None
    }
    /// The repeated section `name` is a question of, when that is not the
    /// one the expression is read in: there it has an answer per entry.
    fn repeated(&self, _name: &str) -> Option<String> {
        None
    }
    /// The repeated section `name` is a question of, wherever the
    /// expression is read.
    fn repeat_of(&self, _name: &str) -> Option<String> {
        None
    }
    /// Whether `name` is a repeated section.
    fn is_repeat(&self, _name: &str) -> bool {
        false
    }
    /// Whether the expression is read in an entry of a repeated section.
    fn in_entry(&self) -> bool {
        false
    }
}

/// The type of a question read once per entry of a repeated section, as
/// the functions of many values take it; others as [`check`] gives them.
fn check_each(e: &Expr, scope: &dyn Scope) -> Result<Ty, TypeError> {
    match e {
        Expr::Ref(name) if scope.repeated(name).is_some() => scope
            .type_of(name)
            .ok_or_else(|| TypeError::UnknownItem(name.clone())),
        _ => check(e, scope),
    }
}

/// Type-checks `expr`, which must produce a true/false value.
pub fn check_bool(expr: &Expr, scope: &dyn Scope) -> Result<(), TypeError> {
    match check(expr, scope)? {
        Ty::Bool => Ok(()),
        other => Err(TypeError::NotACondition(other)),
    }
}

/// Type-checks `expr` and returns its type.
pub fn check(expr: &Expr, scope: &dyn Scope) -> Result<Ty, TypeError> {
    match expr {
        Expr::Num(_) => Ok(Ty::Num),
        Expr::Str(_) => Ok(Ty::Str),
        Expr::Ref(name) => match scope.repeated(name) {
            Some(repeat) => Err(TypeError::InRepeat {
                item: name.clone(),
                repeat,
            }),
            None => scope
                .type_of(name)
                .ok_or_else(|| TypeError::UnknownItem(name.clone())),
        },
        Expr::Current => scope
            .current()
            .map(|(t, _)| t)
            .ok_or(TypeError::CurrentNotAllowed),
        Expr::Field(name) => match scope.fields() {
            Some(columns) if columns.contains(name) => Ok(Ty::Str),
            columns => Err(TypeError::UnknownField {
                name: name.clone(),
                columns: columns.map(|c| c.join(", ")),
            }),
        },
        Expr::Neg(e) => match check(e, scope)? {
            t if numeric(t, e) => Ok(Ty::Num),
            got => Err(TypeError::Argument {
                what: "`-`".into(),
                want: Ty::Num,
                got,
            }),
        },
        Expr::Binary(op, a, b) => {
            let (ta, tb) = (check(a, scope)?, check(b, scope)?);
            match op {
                BinOp::Or | BinOp::And => {
                    both(op, ta, tb, Ty::Bool)?;
                    Ok(Ty::Bool)
                }
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                    if numeric(ta, a) && numeric(tb, b) {
                        Ok(Ty::Num)
                    } else {
                        Err(TypeError::Operands {
                            op: op.symbol(),
                            want: Ty::Num,
                            left: ta,
                            right: tb,
                        })
                    }
                }
                // A multiple choice compared with text is compared as the
                // chosen values joined by spaces, as XPath reads the node:
                // `${multi} = 'a'` when `a` alone is chosen.
                BinOp::Eq | BinOp::Ne
                    if matches!((ta, tb), (Ty::List, Ty::Str) | (Ty::Str, Ty::List)) =>
                {
                    check_choice_literal(a, b, scope)?;
                    check_choice_literal(b, a, scope)?;
                    Ok(Ty::Bool)
                }
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    // Text and a number compare as numbers, as XPath does:
                    // a choice named `1` is `${q} = 1`, a choice's column
                    // `level >= ${age}`. Written text that is no number
                    // (`${count} = 'many'`) is a mistake, never true.
                    let numeric_text = |e: &Expr| match e {
                        Expr::Str(s) => xpath_number(s).is_some(),
                        _ => true,
                    };
                    if matches!((ta, tb), (Ty::Str, Ty::Num) | (Ty::Num, Ty::Str))
                        && numeric_text(a)
                        && numeric_text(b)
                    {
                        check_choice_literal(a, b, scope)?;
                        check_choice_literal(b, a, scope)?;
                        return Ok(Ty::Bool);
                    }
                    if ta != tb {
                        return Err(TypeError::Mixed {
                            op: op.symbol(),
                            left: ta,
                            right: tb,
                        });
                    }
                    if ta == Ty::List || (ta == Ty::Bool && !matches!(op, BinOp::Eq | BinOp::Ne)) {
                        return Err(TypeError::Uncomparable {
                            op: op.symbol(),
                            ty: ta,
                        });
                    }
                    check_choice_literal(a, b, scope)?;
                    check_choice_literal(b, a, scope)?;
                    Ok(Ty::Bool)
                }
            }
        }
        Expr::Call(func, args) => match func {
            Func::True | Func::False => Ok(Ty::Bool),
            Func::Today | Func::Now => Ok(Ty::Str),
            Func::Not => expect(&args[0], Ty::Bool, scope, "not()").map(|_| Ty::Bool),
            Func::StringLength => {
                expect(&args[0], Ty::Str, scope, "string-length()").map(|_| Ty::Num)
            }
            Func::CountSelected => {
                expect(&args[0], Ty::List, scope, "count-selected()").map(|_| Ty::Num)
            }
            Func::Selected => {
                let t = check(&args[0], scope)?;
                if t != Ty::List && t != Ty::Str {
                    return Err(TypeError::NotAChoiceItem(t));
                }
                expect(&args[1], Ty::Str, scope, "selected()")?;
                check_choice_literal(&args[0], &args[1], scope)?;
                Ok(Ty::Bool)
            }
            Func::If => {
                expect(&args[0], Ty::Bool, scope, "if()")?;
                let (t1, t2) = (check(&args[1], scope)?, check(&args[2], scope)?);
                if t1 != t2 {
                    return Err(TypeError::Branches(t1, t2));
                }
                Ok(t1)
            }
            Func::Coalesce => {
                let (t1, t2) = (check(&args[0], scope)?, check(&args[1], scope)?);
                if t1 != t2 {
                    return Err(TypeError::Alternatives(t1, t2));
                }
                Ok(t1)
            }
            Func::Round => {
                expect(&args[0], Ty::Num, scope, "round()")?;
                if let Some(digits) = args.get(1) {
                    expect(digits, Ty::Num, scope, "round()")?;
                }
                Ok(Ty::Num)
            }
            Func::Int | Func::Floor | Func::Ceiling | Func::Abs => {
                expect(&args[0], Ty::Num, scope, &format!("{}()", func.name()))
            }
            Func::DecimalDateTime | Func::Date | Func::DateTime => {
                date_argument(&args[0], scope, *func)?;
                Ok(if *func == Func::DecimalDateTime {
                    Ty::Num
                } else {
                    Ty::Str
                })
            }
            Func::FormatDate | Func::FormatDateTime => {
                date_argument(&args[0], scope, *func)?;
                expect(&args[1], Ty::Str, scope, func.name())?;
                Ok(Ty::Str)
            }
            Func::Number => {
                let t = check(&args[0], scope)?;
                if t == Ty::List {
                    return Err(TypeError::Argument {
                        what: "number()".into(),
                        want: Ty::Str,
                        got: t,
                    });
                }
                Ok(Ty::Num)
            }
            Func::Concat => {
                for a in args {
                    check(a, scope)?;
                }
                Ok(Ty::Str)
            }
            Func::Once => check(&args[0], scope),
            Func::ChoiceName => {
                let t = check(&args[0], scope)?;
                if !matches!(t, Ty::Str | Ty::Num) {
                    return Err(TypeError::Argument {
                        what: "jr:choice-name()".into(),
                        want: Ty::Str,
                        got: t,
                    });
                }
                let named = match &args[1] {
                    Expr::Str(s) => quoted_item(s),
                    _ => None,
                };
                match named {
                    Some(item) if scope.choices_of(item).is_some() => Ok(Ty::Str),
                    _ => Err(TypeError::ChoiceNameItem(args[1].to_string())),
                }
            }
            Func::Count => match &args[0] {
                Expr::Ref(name) if scope.is_repeat(name) || scope.repeated(name).is_some() => {
                    Ok(Ty::Num)
                }
                other => Err(TypeError::CountWhat(other.to_string())),
            },
            Func::Position => {
                if scope.in_entry() {
                    Ok(Ty::Num)
                } else {
                    Err(TypeError::PositionOutside)
                }
            }
            Func::IndexedRepeat => {
                let (Expr::Ref(item), Expr::Ref(repeat)) = (&args[0], &args[1]) else {
                    return Err(TypeError::IndexedRepeat {
                        item: args[0].to_string(),
                        repeat: args[1].to_string(),
                    });
                };
                // In the section itself too: `position(..) - 1` is the
                // entry before this one.
                if scope.repeat_of(item).as_deref() != Some(repeat.as_str()) {
                    return Err(TypeError::IndexedRepeat {
                        item: item.clone(),
                        repeat: repeat.clone(),
                    });
                }
                expect(&args[2], Ty::Num, scope, "indexed-repeat()")?;
                scope
                    .type_of(item)
                    .ok_or_else(|| TypeError::UnknownItem(item.clone()))
            }
            Func::Sum | Func::Max | Func::Min => {
                for a in args {
                    let t = check_each(a, scope)?;
                    if !numeric(t, a) {
                        return Err(TypeError::Argument {
                            what: format!("{}()", func.name()),
                            want: Ty::Num,
                            got: t,
                        });
                    }
                }
                Ok(Ty::Num)
            }
            Func::Regex => {
                let t = check(&args[0], scope)?;
                if t != Ty::Str && t != Ty::Num {
                    return Err(TypeError::Argument {
                        what: "regex()".into(),
                        want: Ty::Str,
                        got: t,
                    });
                }
                // The pattern is the template's, checked here, never an answer.
                let Expr::Str(pattern) = &args[1] else {
                    return Err(TypeError::Pattern {
                        pattern: args[1].to_string(),
                        detail: "the pattern must be written in the template, in quotes".into(),
                    });
                };
                pattern_of(pattern).map_err(|detail| TypeError::Pattern {
                    pattern: pattern.clone(),
                    detail,
                })?;
                Ok(Ty::Bool)
            }
            Func::Substr => {
                expect(&args[0], Ty::Str, scope, "substr()")?;
                for a in &args[1..] {
                    expect(a, Ty::Num, scope, "substr()")?;
                }
                Ok(Ty::Str)
            }
        },
    }
}

/// A `regex()` pattern compiled, within a size that keeps evaluation
/// quick on a phone (the regex crate's matching is linear in the text);
/// patterns are the templates' literals, checked when a template loads and
/// compiled once.
fn pattern_of(pattern: &str) -> Result<regex::Regex, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static COMPILED: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(Default::default);
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string()
        })?;
    if let Ok(mut c) = cache.lock() {
        // Patterns come from templates: few. Start again should a server
        // see very many over its life.
        if c.len() >= 1_024 {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

/// A date function's first argument: a date or date-time text, or a
/// number of days.
fn date_argument(e: &Expr, scope: &dyn Scope, func: Func) -> Result<(), TypeError> {
    match check(e, scope)? {
        Ty::Str | Ty::Num => Ok(()),
        got => Err(TypeError::Argument {
            what: format!("{}()", func.name()),
            want: Ty::Str,
            got,
        }),
    }
}

fn expect(e: &Expr, want: Ty, scope: &dyn Scope, what: &str) -> Result<Ty, TypeError> {
    let t = check(e, scope)?;
    if t == want {
        Ok(t)
    } else {
        Err(TypeError::Argument {
            what: what.into(),
            want,
            got: t,
        })
    }
}

/// Whether arithmetic may take `e`, of type `t`: a number, or text read as
/// one as XPath reads it (a date as its days, as ODK does); but text
/// written in the expression that is no number is a mistake.
fn numeric(t: Ty, e: &Expr) -> bool {
    match (t, e) {
        (Ty::Num, _) => true,
        (Ty::Str, Expr::Str(s)) => xpath_number(s).is_some(),
        (Ty::Str, _) => true,
        _ => false,
    }
}

fn both(op: &BinOp, a: Ty, b: Ty, want: Ty) -> Result<(), TypeError> {
    if a == want && b == want {
        Ok(())
    } else {
        Err(TypeError::Operands {
            op: op.symbol(),
            want,
            left: a,
            right: b,
        })
    }
}

/// `${vip} = 'yse'` is almost always a typo: a literal compared with a choice
/// item must be one of its choices.
fn check_choice_literal(item: &Expr, lit: &Expr, scope: &dyn Scope) -> Result<(), TypeError> {
    let value = match lit {
        Expr::Str(value) => value.clone(),
        // `${q} = 1`: a choice named `1`.
        Expr::Num(n) => n.to_string(),
        _ => return Ok(()),
    };
    let (name, choices) = match item {
        Expr::Ref(name) => (name.clone(), scope.choices_of(name)),
        Expr::Current => match scope.current() {
            Some((_, Some(name))) => {
                let c = scope.choices_of(&name);
                (name, c)
            }
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    match choices {
        Some(c) if !names_choices(lit, &c) => Err(TypeError::UnknownChoice {
            value,
            item: name,
            choices: c.join(", "),
        }),
        _ => Ok(()),
    }
}

/// Whether a value written in an expression is one a choice question's
/// answer may be compared with: empty text (`${q} != ''`, "answered"),
/// chosen values (`'water seats'`, a multiple choice's text), or a number
/// one of its choices reads as (`1` for `01`).
pub(crate) fn names_choices(written: &Expr, choices: &[String]) -> bool {
    match written {
        Expr::Str(s) => s.split_whitespace().all(|v| choices.iter().any(|c| c == v)),
        Expr::Num(n) => choices.iter().any(|c| xpath_number(c) == Some(*n)),
        _ => true,
    }
}

/// A runtime value. Unanswered and non-relevant items are `Null`.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
    List(Vec<String>),
}

impl Val {
    /// The value as text, as `concat()` joins it: nothing for no answer,
    /// `true` / `false`, numbers without a needless `.0`, chosen values
    /// separated by spaces (as an XForm stores them).
    pub fn text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Num(x) => x.to_string(),
            Val::Str(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
            Val::List(l) => l.join(" "),
        }
    }

    fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }
}

/// Where evaluation reads answers from.
pub trait Env {
    fn get(&self, name: &str) -> Val;
    fn current(&self) -> Val;
    /// A bare name: the column of the choice being filtered.
    fn field(&self, _name: &str) -> Val {
        Val::Null
    }
    /// When the record was started, in milliseconds since the epoch:
    /// what `today()` and `now()` read.
    fn started(&self) -> Option<i64> {
        None
    }
    /// The label of `item`'s choice `value`, for `jr:choice-name()`.
    fn choice_label(&self, _item: &str, _value: &str) -> Option<String> {
        None
    }
    /// The answers to a question of a repeated section read outside it,
    /// one per entry in order (unanswered ones as `Null`); `None` for any
    /// other name.
    fn each(&self, _name: &str) -> Option<Vec<Val>> {
        None
    }
    /// How many entries the repeated section `name` has.
    fn entries(&self, _name: &str) -> usize {
        0
    }
    /// The answer to `name`, a question of a repeated section, in its
    /// entry `n` (1 first), read from anywhere.
    fn nth(&self, _name: &str, _n: usize) -> Val {
        Val::Null
    }
    /// The number of the entry being read, 1 first.
    fn position(&self) -> Option<usize> {
        None
    }
}

/// `'${name}'`: the item named, as `jr:choice-name()` takes it.
fn quoted_item(text: &str) -> Option<&str> {
    let name = text.trim().strip_prefix("${")?.strip_suffix('}')?.trim();
    (!name.is_empty()).then_some(name)
}

/// Evaluates a condition; anything but a definite true (including an
/// unanswered operand) is false.
pub fn eval_bool(expr: &Expr, env: &dyn Env) -> bool {
    eval(expr, env).truthy()
}

/// Evaluates an expression. Total: type mismatches, missing answers and
/// division by zero give `Null` instead of failing.
pub fn eval(expr: &Expr, env: &dyn Env) -> Val {
    match expr {
        Expr::Num(n) => Val::Num(*n),
        Expr::Str(s) => Val::Str(s.clone()),
        Expr::Ref(name) => env.get(name),
        Expr::Current => env.current(),
        Expr::Field(name) => env.field(name),
        Expr::Neg(e) => as_number(eval(e, env)).map_or(Val::Null, |n| Val::Num(-n)),
        Expr::Binary(BinOp::And, a, b) => Val::Bool(eval_bool(a, env) && eval_bool(b, env)),
        Expr::Binary(BinOp::Or, a, b) => Val::Bool(eval_bool(a, env) || eval_bool(b, env)),
        Expr::Binary(op, a, b) => binary(*op, eval(a, env), eval(b, env)),
        Expr::Call(func, args) => call(*func, args, env),
    }
}

/// A text as XPath reads a number: digits with an optional sign and point
/// (`-1.5`, `.5`, ` 7 `), nothing else (not `1e3`, `inf`, `nan`, `+5`).
pub(crate) fn xpath_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    t.parse().ok().filter(|x: &f64| x.is_finite())
}

fn binary(op: BinOp, a: Val, b: Val) -> Val {
    use std::cmp::Ordering;
    // Text meets a number only in a comparison (the type check sees to
    // it): compared as a number, as XPath does, when it reads as one.
    let arithmetic = matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
    );
    let (a, b) = match (a, b) {
        // Arithmetic reads each side as a number itself (`as_number`).
        pair if arithmetic => pair,
        (Val::Str(s), Val::Num(y)) => (xpath_number(&s).map_or(Val::Null, Val::Num), Val::Num(y)),
        (Val::Num(x), Val::Str(s)) => (Val::Num(x), xpath_number(&s).map_or(Val::Null, Val::Num)),
        // Chosen values met by text: the node's text, as XPath reads it.
        (Val::List(l), Val::Str(s)) => (Val::Str(l.join(" ")), Val::Str(s)),
        (Val::Str(s), Val::List(l)) => (Val::Str(s), Val::Str(l.join(" "))),
        other => other,
    };
    match op {
        BinOp::Eq => Val::Bool(a == b),
        BinOp::Ne => Val::Bool(a != b),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ord = match (&a, &b) {
                (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
                // Two dates and times, as the moments they are, whatever
                // offset each was written with (`now()` in Beijing, an
                // answer in UTC); other text, dates included, as text.
                (Val::Str(x), Val::Str(y)) => match (moment(x), moment(y)) {
                    (Some(a), Some(b)) => a.partial_cmp(&b),
                    _ => Some(x.cmp(y)),
                },
                _ => None,
            };
            let Some(ord) = ord else {
                return Val::Bool(false);
            };
            Val::Bool(match op {
                BinOp::Lt => ord == Ordering::Less,
                BinOp::Le => ord != Ordering::Greater,
                BinOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            let (Some(x), Some(y)) = (as_number(a), as_number(b)) else {
                return Val::Null;
            };
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            };
            if r.is_finite() {
                Val::Num(r)
            } else {
                Val::Null
            }
        }
        BinOp::And | BinOp::Or => Val::Null,
    }
}

/// A date and time (`2026-12-01T09:30:00+08:00`) as days since 1970; not
/// a date alone.
fn moment(text: &str) -> Option<f64> {
    text.get(10..)?
        .starts_with('T')
        .then(|| dates::days(text))?
}

/// A value as arithmetic reads it: a number, or text that reads as one (a
/// date or date and time as its days since 1970-01-01).
fn as_number(v: Val) -> Option<f64> {
    match v {
        Val::Num(x) => Some(x),
        Val::Str(s) => xpath_number(&s).or_else(|| dates::days(&s)),
        _ => None,
    }
}

fn call(func: Func, args: &[Expr], env: &dyn Env) -> Val {
    let arg = |i: usize| args.get(i).map_or(Val::Null, |a| eval(a, env));
    match func {
        Func::True => Val::Bool(true),
        Func::False => Val::Bool(false),
        Func::Once => arg(0),
        Func::ChoiceName => {
            let item = match args.get(1) {
                Some(Expr::Str(s)) => quoted_item(s),
                _ => None,
            };
            match (arg(0), item) {
                (Val::Null, _) | (_, None) => Val::Null,
                (v, Some(item)) => env
                    .choice_label(item, &v.text())
                    .map_or(Val::Null, Val::Str),
            }
        }
        Func::Count => match args.first() {
            Some(Expr::Ref(name)) => Val::Num(match env.each(name) {
                Some(values) => values.len(),
                None => env.entries(name),
            } as f64),
            _ => Val::Null,
        },
        Func::Position => env.position().map_or(Val::Null, |p| Val::Num(p as f64)),
        Func::IndexedRepeat => {
            let (Some(Expr::Ref(name)), Some(n)) = (args.first(), as_number(arg(2))) else {
                return Val::Null;
            };
            match n.fract() == 0.0 && n >= 1.0 {
                true => env.nth(name, n as usize),
                false => Val::Null,
            }
        }
        Func::Sum | Func::Max | Func::Min => {
            let numbers = args
                .iter()
                .flat_map(|a| match a {
                    Expr::Ref(name) => env.each(name).unwrap_or_else(|| vec![eval(a, env)]),
                    _ => vec![eval(a, env)],
                })
                .filter_map(as_number);
            let folded = match func {
                // XPath's sum of nothing is 0.
                Func::Sum => Some(numbers.sum()),
                Func::Max => numbers.reduce(f64::max),
                _ => numbers.reduce(f64::min),
            };
            folded.filter(|x| x.is_finite()).map_or(Val::Null, Val::Num)
        }
        Func::Today => env
            .started()
            .and_then(dates::today)
            .map_or(Val::Null, Val::Str),
        Func::Now => env
            .started()
            .and_then(dates::now)
            .map_or(Val::Null, Val::Str),
        Func::Not => Val::Bool(!arg(0).truthy()),
        Func::StringLength => match arg(0) {
            Val::Str(s) => Val::Num(s.chars().count() as f64),
            _ => Val::Num(0.0),
        },
        Func::CountSelected => match arg(0) {
            Val::List(l) => Val::Num(l.len() as f64),
            _ => Val::Num(0.0),
        },
        Func::Selected => {
            let Val::Str(want) = arg(1) else {
                return Val::Bool(false);
            };
            Val::Bool(match arg(0) {
                Val::List(l) => l.contains(&want),
                Val::Str(s) => s == want,
                _ => false,
            })
        }
        Func::If => {
            if arg(0).truthy() {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::Coalesce => match arg(0) {
            Val::Null => arg(1),
            v => v,
        },
        Func::Round => match (arg(0), args.get(1).map(|_| arg(1))) {
            (Val::Num(x), None) => Val::Num(x.round()),
            (Val::Num(x), Some(Val::Num(d))) => {
                let scale = 10f64.powi(d.clamp(-15.0, 15.0) as i32);
                let rounded = (x * scale).round() / scale;
                Val::Num(if rounded.is_finite() { rounded } else { x })
            }
            _ => Val::Null,
        },
        Func::Int | Func::Floor | Func::Ceiling | Func::Abs => match arg(0) {
            Val::Num(x) => Val::Num(match func {
                Func::Int => x.trunc(),
                Func::Floor => x.floor(),
                Func::Ceiling => x.ceil(),
                _ => x.abs(),
            }),
            _ => Val::Null,
        },
        Func::Number => match arg(0) {
            Val::Num(x) => Val::Num(x),
            Val::Bool(b) => Val::Num(f64::from(u8::from(b))),
            Val::Str(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map_or(Val::Null, Val::Num),
            _ => Val::Null,
        },
        Func::Concat => {
            let text: String = (0..args.len()).map(|i| arg(i).text()).collect();
            // Calculations reading each other could otherwise grow a text
            // without end: beyond an answer's longest, no value.
            if text.len() > MAX_TEXT {
                Val::Null
            } else {
                Val::Str(text)
            }
        }
        Func::Regex => match (arg(0), arg(1)) {
            (Val::Null, _) => Val::Null,
            (v, Val::Str(p)) => {
                pattern_of(&p).map_or(Val::Null, |re| Val::Bool(re.is_match(&v.text())))
            }
            _ => Val::Null,
        },
        Func::DecimalDateTime
        | Func::Date
        | Func::DateTime
        | Func::FormatDate
        | Func::FormatDateTime => {
            let (text, days) = match arg(0) {
                Val::Str(s) => (Some(s), None),
                Val::Num(n) => (None, Some(n)),
                _ => return Val::Null,
            };
            let text = text.as_deref();
            let value = match func {
                Func::DecimalDateTime => {
                    return text.map_or(days, dates::days).map_or(Val::Null, Val::Num);
                }
                Func::Date => dates::date(text, days),
                Func::DateTime => dates::date_time(text, days),
                _ => match arg(1) {
                    Val::Str(pattern) => dates::format(text, days, &pattern),
                    _ => None,
                },
            };
            // Held to a text's longest, as concat() is.
            value
                .filter(|v| v.len() <= MAX_TEXT)
                .map_or(Val::Null, Val::Str)
        }
        Func::Substr => {
            let Val::Str(s) = arg(0) else {
                return Val::Null;
            };
            let chars: Vec<char> = s.chars().collect();
            let at = |v: Val, default: usize| match v {
                Val::Num(x) if x.is_finite() => (x.max(0.0) as usize).min(chars.len()),
                _ => default,
            };
            let start = at(arg(1), 0);
            let end = if args.len() > 2 {
                at(arg(2), chars.len())
            } else {
                chars.len()
            };
            Val::Str(chars[start..end.max(start)].iter().collect())
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(n) => write!(f, "{n}"),
            Expr::Str(s) => write!(f, "'{s}'"),
            Expr::Ref(r) => write!(f, "${{{r}}}"),
            Expr::Current => f.write_str("."),
            Expr::Field(name) => f.write_str(name),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn odk_relative_paths_and_prefixed_functions_are_named_as_such() {
        let e = parse("../age > 18").expect_err("relative");
        assert_eq!(
            (e.message.key, e.message.param("path")),
            ("expr.relative_path", Some("../age"))
        );
        let e = parse("jr:itext(${q}) = 'x'").expect_err("prefixed");
        assert_eq!(
            (e.message.key, e.message.param("function")),
            ("expr.prefixed_function", Some("jr:itext"))
        );
        // The current answer and decimals still read as before.
        assert!(parse(". >= 0.5 and . <= .9").is_ok());
    }

    struct TestScope(HashMap<&'static str, Ty>);

    impl Scope for TestScope {
        fn type_of(&self, name: &str) -> Option<Ty> {
            self.0.get(name).copied()
        }
        fn choices_of(&self, name: &str) -> Option<Vec<String>> {
            (name == "vip").then(|| vec!["yes".into(), "no".into()])
        }
        fn current(&self) -> Option<(Ty, Option<String>)> {
            Some((Ty::Num, None))
        }
    }

    fn scope() -> TestScope {
        TestScope(HashMap::from([
            ("wait_s", Ty::Num),
            ("vip", Ty::Str),
            ("facilities", Ty::List),
        ]))
    }

    struct TestEnv(HashMap<&'static str, Val>, Val);

    impl Env for TestEnv {
        fn get(&self, name: &str) -> Val {
            self.0.get(name).cloned().unwrap_or(Val::Null)
        }
        fn current(&self) -> Val {
            self.1.clone()
        }
    }

    fn env(wait: Option<f64>, vip: &str) -> TestEnv {
        let mut m = HashMap::from([
            ("vip", Val::Str(vip.into())),
            (
                "facilities",
                Val::List(vec!["water".into(), "seats".into()]),
            ),
        ]);
        if let Some(w) = wait {
            m.insert("wait_s", Val::Num(w));
        }
        TestEnv(m, Val::Num(240.0))
    }

    fn run(src: &str, env: &TestEnv) -> bool {
        let e = parse(src).expect("parses");
        check_bool(&e, &scope()).expect("type-checks");
        eval_bool(&e, env)
    }

    #[test]
    fn chosen_values_met_by_text_are_the_nodes_text() {
        let both = env(None, "yes");
        assert!(run("${facilities} = 'water seats'", &both));
        assert!(!run("${facilities} = 'water'", &both));
        assert!(run("'water' != ${facilities}", &both));
        let mut one = env(None, "yes");
        one.0.insert("facilities", Val::List(vec!["water".into()]));
        assert!(run("${facilities} = 'water'", &one));
        // Two lists, or a list ordered against text, still mean nothing.
        let e = parse("${facilities} < 'water'").expect("parses");
        assert!(check_bool(&e, &scope()).is_err());
    }

    #[test]
    fn choice_name_takes_a_choice_question_in_quotes() {
        let checked = |src: &str| check(&parse(src).expect("parses"), &scope());
        assert_eq!(checked("jr:choice-name(${vip}, '${vip}')"), Ok(Ty::Str));
        for wrong in [
            "jr:choice-name(${vip}, 'vip')",
            "jr:choice-name(${vip}, ${vip})",
            "jr:choice-name(${wait_s}, '${wait_s}')",
        ] {
            let e = checked(wrong).expect_err(wrong);
            assert_eq!(e.msg().key, "expr.choice_name_item", "{wrong}");
        }
        assert_eq!(
            parse("jr:choice-name(${vip}, '${vip}')")
                .expect("parses")
                .to_string(),
            "jr:choice-name(${vip}, '${vip}')"
        );
    }

    #[test]
    fn arithmetic_reads_text_as_a_number_as_xpath_does() {
        let mut e = env(Some(90.0), "yes");
        e.0.insert("code", Val::Str("12".into()));
        e.0.insert("day", Val::Str("1970-01-11".into()));
        e.0.insert("word", Val::Str("many".into()));
        let mut s = scope();
        for name in ["code", "day", "word"] {
            s.0.insert(name, Ty::Str);
        }
        let at = |src: &str| {
            let x = parse(src).expect("parses");
            assert_eq!(check(&x, &s), Ok(Ty::Num), "{src}");
            eval(&x, &e)
        };
        assert_eq!(at("${code} - 3"), Val::Num(9.0));
        assert_eq!(at("-${code}"), Val::Num(-12.0));
        assert_eq!(at("${day} + 1"), Val::Num(11.0), "a date is its days");
        assert_eq!(at("${word} * 2"), Val::Null, "text that is no number");
        // Written text that is no number is a mistake; a list is none.
        for wrong in ["${wait_s} + 'soon'", "${facilities} + 1", "-'x'"] {
            assert!(
                check(&parse(wrong).expect("parses"), &s).is_err(),
                "{wrong}"
            );
        }
        // A no-break space is a space.
        assert!(parse("${code}\u{a0}- 3").is_ok());
    }

    #[test]
    fn answered_is_asked_of_a_choice_question_with_empty_text() {
        let checked = |src: &str| check_bool(&parse(src).expect("parses"), &scope());
        assert_eq!(checked("${vip} != ''"), Ok(()));
        assert_eq!(checked("${vip} = ' '"), Ok(()));
        assert!(checked("${vip} = 'maybe'").is_err());
    }

    #[test]
    fn dates_and_times_compare_as_moments() {
        let at = |src: &str| eval_bool(&parse(src).expect("parses"), &env(None, "yes"));
        // 01:30 in Beijing is 17:30 the day before in UTC.
        assert!(at("'2026-11-30T17:00:00Z' < '2026-12-01T01:30:00+08:00'"));
        assert!(at(
            "'2026-11-30T18:00:00.000Z' > '2026-12-01T01:30:00+08:00'"
        ));
        assert!(at("'2026-11-30' < '2026-12-01'"), "dates as text");
        assert!(at("'apple' < 'banana'"));
    }

    #[test]
    fn sum_max_and_min_of_single_values() {
        let at = |src: &str, wait: Option<f64>| {
            let e = parse(src).expect("parses");
            assert_eq!(check(&e, &scope()), Ok(Ty::Num), "{src}");
            eval(&e, &env(wait, "yes"))
        };
        assert_eq!(at("sum(${wait_s})", Some(90.0)), Val::Num(90.0));
        assert_eq!(at("sum(${wait_s}, 10, '5')", Some(90.0)), Val::Num(105.0));
        assert_eq!(
            at("sum(${wait_s})", None),
            Val::Num(0.0),
            "a sum of nothing"
        );
        assert_eq!(at("max(${wait_s}, 100)", None), Val::Num(100.0));
        assert_eq!(at("min(${wait_s}, 100, 7)", Some(90.0)), Val::Num(7.0));
        assert_eq!(at("max(${wait_s})", None), Val::Null);
        assert!(check(&parse("sum(${facilities})").expect("parses"), &scope()).is_err());
    }

    /// The value of `src`, type-checked as `want`.
    fn value(src: &str, want: Ty, env: &TestEnv) -> Val {
        let e = parse(src).expect("parses");
        assert_eq!(check(&e, &scope()).expect("type-checks"), want, "{src}");
        eval(&e, env)
    }

    #[test]
    fn the_functions_of_calculations_work_as_odk_s_do() {
        let e = env(Some(245.6), "yes");
        assert_eq!(value("round(${wait_s})", Ty::Num, &e), Val::Num(246.0));
        assert_eq!(
            value("round(${wait_s} div 60, 2)", Ty::Num, &e),
            Val::Num(4.09)
        );
        assert_eq!(value("int(-${wait_s})", Ty::Num, &e), Val::Num(-245.0));
        assert_eq!(value("number('12.5') + 1", Ty::Num, &e), Val::Num(13.5));
        assert_eq!(value("number(${vip})", Ty::Num, &e), Val::Null);
        assert_eq!(
            value(
                "concat(${vip}, ':', ${wait_s}, ':', ${facilities})",
                Ty::Str,
                &e
            ),
            Val::Str("yes:245.6:water seats".into())
        );
        assert_eq!(
            value("substr('营业厅服务', 1, 3)", Ty::Str, &e),
            Val::Str("业厅".into())
        );
        assert_eq!(
            value("substr('hall', 2)", Ty::Str, &e),
            Val::Str("ll".into())
        );
        assert_eq!(
            value("substr('hall', 9, 2)", Ty::Str, &e),
            Val::Str("".into())
        );
        // An unanswered operand: no value rather than a wrong one.
        assert_eq!(
            value("round(${wait_s})", Ty::Num, &env(None, "no")),
            Val::Null
        );
        // The number of arguments and their types are checked.
        let arity = parse("round(1, 2, 3)").expect_err("three");
        assert!(
            arity.message.text.contains("takes 1-2 argument(s), got 3"),
            "{}",
            arity.message
        );
        assert!(parse("concat()").is_err());
        assert!(check(&parse("substr(1, 2)").expect("parses"), &scope()).is_err());
    }

    #[test]
    fn regex_matches_as_odk_does_and_a_bad_pattern_is_refused_on_load() {
        let e = env(Some(13_800_138_000.0), "yes");
        assert!(run("regex(${vip}, '^y')", &e));
        assert!(!run("regex(${vip}, '^no$')", &e));
        // A number is matched as its text: eleven digits, a mobile number.
        assert!(run("regex(${wait_s}, '^1[3-9][0-9]{9}$')", &e));
        // Unanswered: no match, so a constraint on it does not pass either.
        assert!(!run("regex(${wait_s}, '[0-9]')", &env(None, "yes")));
        let bad = check(
            &parse("regex(${vip}, '(unclosed')").expect("parses"),
            &scope(),
        )
        .expect_err("not a pattern");
        assert_eq!(bad.msg().key, "expr.pattern");
        assert!(
            check(
                &parse("regex(${facilities}, 'a')").expect("parses"),
                &scope()
            )
            .is_err()
        );
        let answer_as_pattern = check(&parse("regex('a', ${vip})").expect("parses"), &scope())
            .expect_err("an answer is no pattern");
        assert_eq!(answer_as_pattern.msg().key, "expr.pattern");
        assert_eq!(
            value("round(${wait_s}, 15)", Ty::Num, &env(Some(1e300), "no")),
            Val::Num(1e300)
        );
    }

    #[test]
    fn the_issue_example_evaluates() {
        let src = "${wait_s} > 300 and ${vip} = 'yes'";
        assert!(run(src, &env(Some(400.0), "yes")));
        assert!(!run(src, &env(Some(200.0), "yes")));
        assert!(!run(src, &env(Some(400.0), "no")));
    }

    #[test]
    fn an_unanswered_item_makes_comparisons_false() {
        assert!(!run("${wait_s} > 300", &env(None, "yes")));
        assert!(!run("${wait_s} <= 300", &env(None, "yes")));
        assert!(run("not(${wait_s} > 300)", &env(None, "yes")));
    }

    #[test]
    fn precedence_binds_and_tighter_than_or_and_arithmetic_tighter_than_comparison() {
        let e = parse("1 + 2 * 3 = 7 or 1 = 2 and 1 = 1").expect("parses");
        assert_eq!(
            e.to_string(),
            "(((1 + (2 * 3)) = 7) or ((1 = 2) and (1 = 1)))"
        );
    }

    #[test]
    fn current_value_and_functions_work() {
        let e = env(Some(1.0), "no");
        assert!(run(". <= 300", &e));
        assert!(run("selected(${facilities}, 'water')", &e));
        assert!(run("count-selected(${facilities}) = 2", &e));
        assert!(run("string-length(${vip}) = 2", &e));
        assert!(run("if(${vip} = 'no', 1, 2) = 1", &e));
        assert!(run("coalesce(${wait_s}, 0) = 1", &e));
        assert!(run("-${wait_s} < 0 and 7 mod 4 = 3 and 8 div 2 = 4", &e));
    }

    #[test]
    fn division_by_zero_is_unanswered_not_a_crash() {
        assert!(!run("${wait_s} div 0 > 1", &env(Some(1.0), "no")));
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse("${wait_s} > ").expect_err("incomplete");
        assert_eq!(e.offset, 12);
        let e = parse("${wait_s} >> 3").expect_err("bad operator");
        assert!(e.message.text.contains("unexpected"), "{e}");
        let e = parse("frobnicate(1)").expect_err("unknown function");
        assert!(e.message.text.contains("frobnicate"));
        let e = parse("'abc").expect_err("unterminated");
        assert!(e.message.text.contains("unterminated"));
        let e = parse("not(1, 2)").expect_err("arity");
        assert!(e.message.text.contains("1 argument"));
    }

    #[test]
    fn text_and_numbers_compare_as_xpath_compares_them() {
        let e = env(Some(300.0), "yes");
        // Written text that reads as a number is one; a choice named `1`
        // is `= 1`.
        assert!(run("${wait_s} = '300'", &e));
        assert!(run("${wait_s} >= ’299.5’", &e), "typographic quotes");
        assert!(run("${vip} = “yes”", &e));
        assert!(run("string(${wait_s}) = '300'", &e), "string() is text");
        assert!(
            run("true and not(false)", &e),
            "true and false as people write them"
        );
        let s = scope();
        let check_src = |src: &str| check_bool(&parse(src).expect("parses"), &s);
        let TypeError::UnknownChoice { value, .. } =
            check_src("${vip} = 2").expect_err("no choice 2")
        else {
            panic!("a number that is no choice of `vip`")
        };
        assert_eq!(value, "2");
        let numbers = |src: &str| match eval(&parse(src).expect("parses"), &e) {
            Val::Num(x) => x,
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(numbers("floor(-2.5)"), -3.0);
        assert_eq!(numbers("ceiling(2.1)"), 3.0);
        assert_eq!(numbers("abs(-4)"), 4.0);
        assert_eq!(numbers("int(-2.5)"), -2.0);
    }

    #[test]
    fn dates_compare_count_and_format_as_in_odk() {
        // `vip` holds a date here, `.` a later one.
        let e = TestEnv(
            HashMap::from([("vip", Val::Str("2026-11-30".into()))]),
            Val::Str("2026-12-02T10:30:00+08:00".into()),
        );
        assert!(run("decimal-date-time(.) > decimal-date-time(${vip})", &e));
        assert!(run(
            "int(decimal-date-time(.) - decimal-date-time(${vip})) = 2",
            &e
        ));
        assert!(run("format-date(${vip}, '%d %b %Y') = '30 Nov 2026'", &e));
        assert!(run("format-date-time(., '%H:%M') = '10:30'", &e));
        assert!(run(
            "date(decimal-date-time(${vip}) + 2) = '2026-12-02'",
            &e
        ));
        assert!(!run("date(${vip}) = '2026-12-01'", &e));
        assert!(
            check_bool(
                &parse("date(${facilities}) = ''").expect("parses"),
                &scope()
            )
            .is_err(),
            "a list is no date"
        );
    }

    #[test]
    fn type_errors_are_caught_at_load_time() {
        let s = scope();
        let check_src = |src: &str| check_bool(&parse(src).expect("parses"), &s);
        assert!(matches!(
            check_src("${wait_s} = 'long'").expect_err("num vs str"),
            TypeError::Mixed {
                left: Ty::Num,
                right: Ty::Str,
                ..
            }
        ));
        assert_eq!(
            check_src("${nope} = 1").expect_err("unknown"),
            TypeError::UnknownItem("nope".into())
        );
        let typo = check_src("${vip} = 'yse'").expect_err("typo");
        assert!(
            matches!(&typo, TypeError::UnknownChoice { value, .. } if value == "yse"),
            "{typo}"
        );
        assert!(typo.to_string().contains("'yse' is not one of the choices"));
        assert_eq!(
            check_src("${wait_s} + 1").expect_err("not bool"),
            TypeError::NotACondition(Ty::Num)
        );
        assert!(check_src("${vip} and true()").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(
            parse(&deep)
                .expect_err("too deep")
                .message
                .text
                .contains("nested")
        );
        let negs = format!("{}1 = 1", "-".repeat(300));
        assert!(parse(&negs).is_err());
        let long = "1 + ".repeat(MAX_LEN);
        assert!(
            parse(&long)
                .expect_err("too long")
                .message
                .text
                .contains("longer")
        );
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(src in ".{0,200}") {
            let _ = parse(&src);
        }

        #[test]
        fn parsing_operator_soup_never_panics(src in "[()$a-z{}'.<>=!+*, 0-9-]{0,120}") {
            if let Ok(e) = parse(&src) {
                // Printing and re-parsing gives back the same tree.
                let printed = e.to_string();
                if let Ok(again) = parse(&printed) {
                    prop_assert_eq!(again.to_string(), printed);
                }
                let _ = eval(&e, &env(Some(3.0), "yes"));
            }
        }
    }
}
