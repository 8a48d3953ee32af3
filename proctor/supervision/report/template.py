"""The Typst source of the 督导报告 layout (kept as a Python string so it ships with the
code without package-data settings).

It reads two inputs: ``report`` (the JSON of :func:`~proctor.supervision.report.view.
report_view`, every value a plain string) and ``manifest`` (the clip manifest, attached
as ``clips.json``). Values are placed as strings, never evaluated as markup.
"""

TEMPLATE = r"""
#let d = json(bytes(sys.inputs.report))
#set document(title: d.title + " " + d.subtitle, author: d.author, keywords: d.keywords)
#set text(font: d.font, lang: "zh", region: "cn", size: 10pt)
#set page(paper: "a4", margin: (x: 1.8cm, y: 2cm),
  footer: context text(size: 8pt)[#d.footer #h(1fr)
    第 #counter(page).display() 页 / 共 #counter(page).final().first() 页])
#set table(stroke: 0.5pt + gray, inset: 4pt)
#show heading: set text(size: 12pt)
#show heading: set block(above: 1.2em, below: 0.6em)
#pdf.attach(d.manifest.at(0).at(1), bytes(sys.inputs.manifest), relationship: "data",
  mime-type: "application/json", description: "视频片段清单")

#align(center, text(size: 16pt, weight: "bold", d.title))
#align(center, text(size: 9pt, d.subtitle))
#if d.amends != none {
  block(stroke: 0.5pt, inset: 6pt, width: 100%, text(size: 9pt, d.amends))
}

= 一、基本情况
#table(columns: (auto, 1fr, auto, 1fr), ..d.header.flatten())

= 二、督导人员与回避声明
#table(columns: (1fr, 1fr, 1fr), table.header([*姓名*], [*抽取编号*], [*资格证号*]),
  ..d.supervisors.flatten())
#d.recusal

= 三、检查项目
#table(columns: (auto, auto, auto, 1fr, auto),
  table.header([*序号*], [*项目*], [*结论*], [*说明*], [*证据*]), ..d.checklist.flatten())

= 四、发现问题
#if d.findings.len() == 0 [未发现问题。]
#for f in d.findings {
  block(breakable: true, width: 100%)[
    #strong(f.title) \
    #f.description
    #if f.clips.len() > 0 {
      table(columns: (1fr, auto, auto), table.header([*摄像头*], [*时间范围*], [*分段数*]),
        ..f.clips.flatten())
    }
  ]
}

= 五、视频片段清单（附件）
#table(columns: (auto, 1fr), ..d.manifest.flatten())

= 六、处理意见
#d.opinion

整改期限：#d.deadline

= 七、督导结论
#text(size: 12pt, weight: "bold", d.conclusion)

= 八、机构负责人确认（谁主管、谁签字、谁负责）
#d.acknowledgement

#v(1em)
#text(size: 9pt, d.notice)
"""
