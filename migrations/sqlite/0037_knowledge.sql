-- Knowledge and publications (issue 13): the knowledge base of Q&A articles (imported from
-- article files or promoted from members' questions), members' questions with answers,
-- votes and endorsements by licensed engineers, the society's publications, and one
-- full-text index over what a reader may search.

-- A subject compares by its key (trimmed, spaces collapsed, lowercased) and is shown in the
-- spelling first seen.
CREATE TABLE kb_subjects (
    id         INTEGER PRIMARY KEY,
    subject_key TEXT NOT NULL,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    CONSTRAINT kb_subjects_key_unique UNIQUE (subject_key),
    CONSTRAINT kb_subjects_slug_unique UNIQUE (slug)
);

CREATE TABLE kb_articles (
    id              INTEGER PRIMARY KEY,
    -- The `id` of the article file it was imported from (None: written here).
    source_id       BIGINT,
    -- The public path it is served at, kept from the file's `url`.
    path            TEXT NOT NULL,
    title           TEXT NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    author          TEXT NOT NULL DEFAULT '',
    published_on    DATE,
    seo_title       TEXT NOT NULL DEFAULT '',
    seo_description TEXT NOT NULL DEFAULT '',
    seo_keywords    TEXT NOT NULL DEFAULT '',
    -- Every key of the imported file, unknown ones too (JSON), so export loses nothing.
    front_matter    TEXT NOT NULL DEFAULT '{}',
    published       BOOLEAN NOT NULL DEFAULT TRUE,
    -- Shown only to members in good standing (and staff), never to the public.
    members_only    BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when staff merged it into another article: its path then redirects there.
    merged_into     BIGINT REFERENCES kb_articles(id),
    from_question_id BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT kb_articles_source_unique UNIQUE (source_id),
    CONSTRAINT kb_articles_path_unique UNIQUE (path)
);
CREATE INDEX kb_articles_published ON kb_articles (published, published_on);

CREATE TABLE kb_article_subjects (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    subject_id BIGINT NOT NULL REFERENCES kb_subjects(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, subject_id)
);
CREATE INDEX kb_article_subjects_subject ON kb_article_subjects (subject_id, article_id);

-- Related articles as the file gave them: a link to an article not yet imported is pending
-- (shown with its title) and resolves by `related_source_id` when that article arrives.
CREATE TABLE kb_related_links (
    article_id        BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    related_source_id BIGINT NOT NULL,
    title             TEXT NOT NULL,
    subject           TEXT NOT NULL DEFAULT '',
    url               TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX kb_related_links_source ON kb_related_links (related_source_id);

CREATE TABLE questions (
    id                 INTEGER PRIMARY KEY,
    member_id          BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    jurisdiction       TEXT,
    discipline         TEXT,
    visibility         TEXT NOT NULL CHECK (visibility IN ('members', 'public')),
    accepted_answer_id BIGINT,
    promoted_article_id BIGINT REFERENCES kb_articles(id) ON DELETE SET NULL,
    hidden             BOOLEAN NOT NULL DEFAULT FALSE,
    -- The title and body as plain text, for the search index.
    plain_text         TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX questions_created ON questions (created_at);
CREATE INDEX questions_member ON questions (member_id);

CREATE TABLE question_subjects (
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    subject_id  BIGINT NOT NULL REFERENCES kb_subjects(id),
    PRIMARY KEY (question_id, subject_id)
);
CREATE INDEX question_subjects_subject ON question_subjects (subject_id);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    hidden      BOOLEAN NOT NULL DEFAULT FALSE,
    -- The body as plain text, for the search index.
    plain_text  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT answers_question_unique UNIQUE (question_id, id)
);
CREATE INDEX answers_member ON answers (member_id, created_at);

-- One vote per member per answer, up (1) or down (-1).
CREATE TABLE answer_votes (
    answer_id BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    vote      INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at  BIGINT NOT NULL,
    PRIMARY KEY (answer_id, member_id)
);

-- One endorsement per licensed member per answer, with the licence it rests on as it stood.
CREATE TABLE answer_endorsements (
    answer_id    BIGINT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    licence_kind TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    discipline   TEXT NOT NULL,
    show_name    BOOLEAN NOT NULL,
    endorsed_at  BIGINT NOT NULL,
    PRIMARY KEY (answer_id, member_id)
);

-- Members emailed when a question is answered: the asker, and whoever chose to follow it.
CREATE TABLE question_subscriptions (
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, member_id)
);

-- Staff's subject experts, invited to answer questions in their subjects.
CREATE TABLE subject_experts (
    subject_id BIGINT NOT NULL REFERENCES kb_subjects(id) ON DELETE CASCADE,
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (subject_id, member_id)
);

-- Short remarks under a question or one of its answers (plain text).
CREATE TABLE post_comments (
    id          INTEGER PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    answer_id   BIGINT REFERENCES answers(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX post_comments_question ON post_comments (question_id, created_at);
CREATE INDEX post_comments_member ON post_comments (member_id, created_at);

-- A member's report that a question or answer breaks the society's rules, until staff
-- resolve it (hiding the post, or dismissing the report). One open report per member and post.
CREATE TABLE post_flags (
    id          INTEGER PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    answer_id   BIGINT REFERENCES answers(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX post_flags_one_open ON post_flags (member_id, question_id, COALESCE(answer_id, 0))
    WHERE resolved_at IS NULL;
CREATE INDEX post_flags_open ON post_flags (resolved_at, created_at);

-- Each edit of a question or an answer: what it said before, who changed it and when.
CREATE TABLE post_revisions (
    id           INTEGER PRIMARY KEY,
    question_id  BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    answer_id    BIGINT REFERENCES answers(id) ON DELETE CASCADE,
    title_before TEXT,
    body_before  TEXT NOT NULL,
    edited_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    edited_at    BIGINT NOT NULL
);
CREATE INDEX post_revisions_question ON post_revisions (question_id, edited_at);

-- Publications: a journal, a magazine, a chapter newsletter archive, each with issues and
-- articles. Everyone sees an article's title, authors, abstract and citation; its full text
-- and files only those the publication's access allows (public, members, or chosen tiers
-- and groups).
CREATE TABLE publications (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('journal', 'magazine', 'newsletter')),
    access      TEXT NOT NULL CHECK (access IN ('public', 'members', 'chosen')),
    chapter_id  BIGINT REFERENCES chapters(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT publications_slug_unique UNIQUE (slug)
);

-- For `chosen` access: the tiers and groups whose current members read the full text.
CREATE TABLE publication_access (
    publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    tier_id        BIGINT REFERENCES tiers(id) ON DELETE CASCADE,
    group_id       BIGINT REFERENCES affinity_groups(id) ON DELETE CASCADE,
    CHECK ((tier_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX publication_access_tier ON publication_access (publication_id, tier_id) WHERE tier_id IS NOT NULL;
CREATE UNIQUE INDEX publication_access_group ON publication_access (publication_id, group_id) WHERE group_id IS NOT NULL;

CREATE TABLE publication_issues (
    id             INTEGER PRIMARY KEY,
    publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    volume         BIGINT,
    number         BIGINT,
    published_on   DATE NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX publication_issues_publication ON publication_issues (publication_id, published_on);

CREATE TABLE publication_articles (
    id           INTEGER PRIMARY KEY,
    issue_id     BIGINT NOT NULL REFERENCES publication_issues(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    authors      TEXT NOT NULL DEFAULT '',
    abstract     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    doi          TEXT,
    pages        TEXT NOT NULL DEFAULT '',
    position     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT publication_articles_doi_unique UNIQUE (doi)
);
CREATE INDEX publication_articles_issue ON publication_articles (issue_id, position);

-- PDF and image files of an article, stored in the database like CE evidence (every node
-- serves them).
CREATE TABLE publication_files (
    id           INTEGER PRIMARY KEY,
    article_id   BIGINT NOT NULL REFERENCES publication_articles(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size    BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX publication_files_article ON publication_files (article_id);

-- What a reader may find by searching: one row per article, question or publication article
-- (its title, authors and abstract, which everyone may read), kept by the store beside each
-- write (and gone with what it indexes); `audience` is 'public' or 'members'.
CREATE TABLE search_entries (
    id          INTEGER PRIMARY KEY,
    article_id  BIGINT REFERENCES kb_articles(id) ON DELETE CASCADE,
    question_id BIGINT REFERENCES questions(id) ON DELETE CASCADE,
    publication_article_id BIGINT REFERENCES publication_articles(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    subjects    TEXT NOT NULL DEFAULT '',
    audience    TEXT NOT NULL CHECK (audience IN ('public', 'members')),
    endorsed    BOOLEAN NOT NULL DEFAULT FALSE,
    dated       DATE,
    CHECK ((CASE WHEN article_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN question_id IS NULL THEN 0 ELSE 1 END)
           + (CASE WHEN publication_article_id IS NULL THEN 0 ELSE 1 END) = 1),
    CONSTRAINT search_entries_article_unique UNIQUE (article_id),
    CONSTRAINT search_entries_question_unique UNIQUE (question_id),
    CONSTRAINT search_entries_publication_unique UNIQUE (publication_article_id)
);
CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body, subjects, content = 'search_entries', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_index (rowid, title, body, subjects) VALUES (new.id, new.title, new.body, new.subjects);
END;
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_index (search_index, rowid, title, body, subjects)
        VALUES ('delete', old.id, old.title, old.body, old.subjects);
END;
CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_index (search_index, rowid, title, body, subjects)
        VALUES ('delete', old.id, old.title, old.body, old.subjects);
    INSERT INTO search_index (rowid, title, body, subjects) VALUES (new.id, new.title, new.body, new.subjects);
END;
