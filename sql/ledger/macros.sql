-- Macros of the campaign ledgers.

-- phase_numeral(n): 1 → 一 … 10 → 十 (第二阶段)
create or replace macro phase_numeral(n) as
    ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][n];

-- phase_stem(name): a phase's name without 阶段 and punctuation, to compare two spellings
-- (宣传发动阶段 ~ 宣传发动、自行整改)
create or replace macro phase_stem(name) as
    regexp_replace(replace(name, '阶段', ''), '[、，,（）()\s第]', '', 'g');

-- signed_off_by(is_signed_off, signed_off_on, as_of): is an item signed off on as_of? One
-- signed off without a date is signed off whenever it is asked.
create or replace macro signed_off_by(is_signed_off, signed_off_on, as_of) as
    coalesce(signed_off_on <= as_of, is_signed_off and signed_off_on is null, false);

-- ledger_item_label(item_no, item): how an item is listed (指标溯源): "12 出租房屋分类管理"
create or replace macro ledger_item_label(item_no, item) as
    concat_ws(' ', item_no, item);
