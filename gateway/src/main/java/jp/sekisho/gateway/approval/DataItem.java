package jp.sekisho.gateway.approval;

/** A kind of personal information the council can approve (個人情報項目), e.g. {@code name 氏名 Name}. */
public record DataItem(String code, String japanese, String english) {}
